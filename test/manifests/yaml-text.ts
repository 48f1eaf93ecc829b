// Inline YAML for the manifest tests, line by line so that expected line numbers can be read off.

/** The lines joined into a file's text, ending in a newline. */
export const lines = (...text: string[]): string => `${text.join("\n")}\n`;

/** The lines of a minimal object, optionally with a namespace. */
export const objectLines = (params: { apiVersion?: string; kind?: string; name: string; namespace?: string }): string[] => [
  `apiVersion: ${params.apiVersion ?? "v1"}`,
  `kind: ${params.kind ?? "ConfigMap"}`,
  "metadata:",
  `  name: ${params.name}`,
  ...(params.namespace ? [`  namespace: ${params.namespace}`] : []),
];
