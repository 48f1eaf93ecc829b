// Do both tools report the same objects as changed, and are those the objects the benchmark
// edited? The third set catches both tools agreeing on something else (a label kubectl would
// strip, say), which would make the timings compare the wrong work.
export interface ChangedSets {
  slipway: ReadonlySet<string>;
  kubectl: ReadonlySet<string>;
  /** The objects whose manifest the benchmark changed. */
  edited: ReadonlySet<string>;
}

export interface SetMismatch {
  onlySlipway: string[];
  onlyKubectl: string[];
  /** Lines that say what differs; empty when all three sets are equal. */
  lines: string[];
}

export function compareChangedSets(sets: ChangedSets): SetMismatch {
  const onlySlipway = minus(sets.slipway, sets.kubectl);
  const onlyKubectl = minus(sets.kubectl, sets.slipway);
  const lines = [
    listed("changed for Slipway only", onlySlipway),
    listed("changed for kubectl diff only", onlyKubectl),
    listed("edited but not changed for Slipway", minus(sets.edited, sets.slipway)),
    listed("changed for Slipway but not edited", minus(sets.slipway, sets.edited)),
  ].filter((line): line is string => line !== undefined);
  return { onlySlipway, onlyKubectl, lines };
}

const minus = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].filter((name) => !b.has(name)).sort();

function listed(what: string, names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const shown = names.slice(0, 10).join(", ");
  return `${names.length} ${what}: ${shown}${names.length > 10 ? ", …" : ""}`;
}
