// Fitting a report into one of GitHub's size limits by leaving out whole items — a finding, a
// table row, an object's <details> block — never part of one, so no code fence or <details>
// is ever cut open (Atlantis learned this the hard way).

/** A list that can be shortened from its end. */
export interface Section {
  /** Shown whenever the section is, such as a heading or a table header; ends with a line break. */
  head: string;
  /** Whole items, each ending with a line break. */
  items: string[];
  /** Items after `items` that were never rendered (see renderUpTo): always left out. */
  unrendered?: number;
  /** The note that stands for `count` items left out; ends with a line break. */
  omitted: (count: number) => string;
}

/** A fixed piece of text (always shown, empty means absent) or a section (absent when it has no items). */
export type Block = string | Section;

export interface LayoutOptions {
  max: number;
  /** How the limit counts: string length for comments, UTF-8 bytes for check runs. */
  measure: (text: string) => number;
}

const isSection = (block: Block): block is Section => typeof block !== "string";

const fullText = (section: Section): string => section.head + section.items.join("");

/**
 * Joins the blocks with blank lines, leaving items out of sections so the result stays within
 * `max`; undefined when even the fixed text does not fit. What is left after the fixed text is
 * shared so small sections appear in full and large ones get equal shares (water-filling): one
 * environment's long diffs cannot push another environment's conflicts out.
 */
export function layoutBlocks(blocks: Block[], options: LayoutOptions): string | undefined {
  const { max, measure } = options;
  const present = blocks.filter((block) => (isSection(block) ? block.items.length > 0 : block !== ""));
  const sections = present.filter(isSection);
  const fixed = present.reduce((size, block) => size + (isSection(block) ? 0 : measure(block)), 0);
  const separators = Math.max(0, present.length - 1) * measure("\n");
  const shares = shareBudget(
    sections.map((section) => measure(fullText(section))),
    max - fixed - separators,
  );
  const text = present
    .map((block) => (isSection(block) ? fitSection(block, shares[sections.indexOf(block)] ?? 0, measure) : block))
    .join("\n");
  return measure(text) <= max ? text : undefined;
}

/** Splits `budget` among demands: smallest first, each gets at most an equal share of what is left. */
export function shareBudget(demands: number[], budget: number): number[] {
  const shares = demands.map(() => 0);
  const order = demands.map((_, index) => index).sort((a, b) => (demands[a] ?? 0) - (demands[b] ?? 0));
  let remaining = Math.max(0, budget);
  order.forEach((index, position) => {
    const share = Math.min(demands[index] ?? 0, Math.floor(remaining / (order.length - position)));
    shares[index] = share;
    remaining -= share;
  });
  return shares;
}

/**
 * The items of `values` rendered in order until together they pass `max`, and how many were left
 * unrendered: no layout within `max` can show those, so a plan of thousands of objects costs the
 * rendering of what fits, not of every diff (seconds of the event loop for 8,500 objects).
 */
export function renderUpTo<T>(values: readonly T[], render: (value: T) => string, options: LayoutOptions): Pick<Section, "items" | "unrendered"> {
  const items: string[] = [];
  let size = 0;
  for (const value of values) {
    if (size > options.max) break;
    const item = render(value);
    items.push(item);
    size += options.measure(item);
  }
  return { items, unrendered: values.length - items.length };
}

/** The section with as many leading items as fit in `allowance` together with the omitted note. */
function fitSection(section: Section, allowance: number, measure: (text: string) => number): string {
  const full = fullText(section);
  // With items unrendered, what was rendered is already past any allowance.
  if (!section.unrendered && measure(full) <= allowance) return full;
  const total = section.items.length + (section.unrendered ?? 0);
  let used = measure(section.head);
  let kept = 0;
  for (const item of section.items) {
    const size = measure(item);
    if (used + size + measure(section.omitted(total - kept - 1)) > allowance) break;
    used += size;
    kept += 1;
  }
  return section.head + section.items.slice(0, kept).join("") + section.omitted(total - kept);
}
