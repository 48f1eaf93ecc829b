// A markdown table, as both benchmarks print it and the README quotes it.
export type Align = "left" | "right";

export function markdownTable(params: { header: string[]; rows: string[][]; align: (column: number) => Align }): string[] {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(params.header), `|${params.header.map((_, column) => (params.align(column) === "right" ? "---:" : "---")).join("|")}|`, ...params.rows.map(line)];
}
