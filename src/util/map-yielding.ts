/**
 * Maps items one after another, giving the event loop a turn whenever `sliceMs` has passed: a
 * plan of thousands of objects then never holds up the webhooks and jobs around it for long.
 */
export async function mapYielding<T, R>(items: readonly T[], fn: (item: T) => R, sliceMs = 20): Promise<R[]> {
  const results: R[] = [];
  let sliceStart = performance.now();
  for (const item of items) {
    results.push(fn(item));
    if (performance.now() - sliceStart > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return results;
}
