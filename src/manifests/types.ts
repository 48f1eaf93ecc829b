// The manifests as Slipway reads them: objects with the file and line they came from, and
// findings (what is wrong with the input, and where) instead of exceptions.
import type { LineTree } from "./line-tree.js";
import type { KubeObject } from "./object.js";

/** A place in a repository file; line and column are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column?: number;
}

export type FindingSeverity = "error" | "warning" | "notice";

/** Something wrong with the input, user-fixable, rendered rather than thrown. */
export interface Finding {
  severity: FindingSeverity;
  /** A stable, machine-readable kind of finding, e.g. "yaml-syntax", "duplicate-object". */
  code: string;
  message: string;
  position?: SourcePosition;
  /** `Kind/namespace/name` of the object concerned, when there is one. */
  object?: string;
}

/** One Kubernetes object from a manifest file, as data (it can be sent to another thread). */
export interface SourceObjectData {
  object: KubeObject;
  /** Where the document starts. */
  position: SourcePosition;
  /** 0-based index of the document in its file. */
  documentIndex: number;
  /** The lines of the object's fields, which `lineOf` reads. */
  lines: LineTree;
}

/** One Kubernetes object from a manifest file. */
export interface SourceObject extends SourceObjectData {
  /**
   * The line of a field, by path segments from the document root (["spec", "replicas"],
   * ["spec", "template", "spec", "containers", 0, "image"]); the nearest existing ancestor's
   * line when the path does not exist in the file.
   */
  lineOf(path: ReadonlyArray<string | number>): number;
}

export interface ParsedFile {
  path: string;
  objects: SourceObject[];
  findings: Finding[];
  /** What the file cost to read, counted against the budget of all the files read with it. */
  counts: ParseCounts;
}

export interface ParseCounts {
  /** YAML documents, empty ones included. */
  documents: number;
  /** Values that aliases (*name) copied: each use of an anchor counts the values under it. */
  aliasValues: number;
}

export interface ParseLimits {
  /** Refuse files larger than this many bytes (default 1 MiB). */
  maxFileBytes: number;
  /** Refuse files with more documents than this (default 1,000). */
  maxDocuments: number;
  /** Alias nodes allowed per document before it is treated as an alias bomb (default 100). */
  maxAliasCount: number;
}

export const defaultParseLimits: ParseLimits = {
  maxFileBytes: 1024 * 1024,
  maxDocuments: 1000,
  maxAliasCount: 100,
};

/**
 * Totals over all the files read together: an environment's manifests at one commit. Passing one
 * plans nothing (a partial desired set would show a partial plan, and an apply would prune the rest).
 */
export interface ParseBudget {
  /** Bytes of all the files (default 128 MiB: a hundred files at the 1 MiB a file may have). */
  maxTotalBytes: number;
  /** YAML documents (default 10,000). */
  maxTotalDocuments: number;
  /** Kubernetes objects, the items of Lists included (default 10,000). */
  maxTotalObjects: number;
  /** Values copied by aliases, a bound on what alias expansion may allocate (default 100,000). */
  maxTotalAliasValues: number;
}

export const defaultParseBudget: ParseBudget = {
  maxTotalBytes: 128 * 1024 * 1024,
  maxTotalDocuments: 10_000,
  maxTotalObjects: 10_000,
  maxTotalAliasValues: 100_000,
};
