// The fake GitHub's answers start from the examples GitHub publishes in its OpenAPI description
// (@octokit/openapi, components.examples), so the app reads the shapes GitHub really sends; each
// answer overrides only the fields that name this repository, commit or object.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** The examples the fake answers with, by their name in the description. */
const names = [
  "installation-token",
  "branch-get",
  "content-file",
  "check-run",
  "deployment",
  "deployment-status",
  "commit-comparison",
  "pull-request-simple",
  "issue-comment",
  "diff-entry-items",
] as const;

export type ExampleName = (typeof names)[number];
export type Examples = Record<ExampleName, unknown>;

/** Read once, before anything is timed: the description is 13 MB of JSON. */
export function loadGitHubExamples(): Examples {
  const path = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const document = JSON.parse(readFileSync(path, "utf8")) as { components: { examples: Record<string, { value?: unknown }> } };
  const examples = {} as Examples;
  for (const name of names) {
    const value = document.components.examples[name]?.value;
    if (value === undefined) throw new Error(`GitHub's OpenAPI description has no example ${name}`);
    examples[name] = value;
  }
  return examples;
}

/** A fresh copy of an example with `fields` set on it (one level deep: nested objects are replaced). */
export function answer(examples: Examples, name: ExampleName, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(structuredClone(examples[name]) as Record<string, unknown>), ...fields };
}
