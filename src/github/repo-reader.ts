// Reads from the repository through the GitHub API. Slipway never checks out or runs code from
// a pull request: it reads the files it needs, as data.
import { configPath, parseRepoConfig, type ConfigResult } from "../config/load.js";
import { environmentMatcher } from "../config/source.js";
import type { ManifestFile } from "../manifests/manifest-file.js";
import { isHttpStatus, type GitHubClient } from "./octokit.js";
import type { PullRequestRef, RepoRef } from "./pull-request.js";
import { defaultTarballLimits, type TarballLimits } from "../config/server.js";
import { readTarball, type TarballSource } from "./tarball.js";

export type RepoConfigResult = ConfigResult | { ok: false; missing: true };

/**
 * `.github/slipway.yml` from the default branch (so a pull request cannot change the policy that
 * judges it), or at a commit (the one an apply applies, whose configuration reviewers saw).
 */
export async function loadRepoConfig(octokit: GitHubClient, repo: RepoRef & { ref?: string }): Promise<RepoConfigResult> {
  const text = await readText(octokit, { owner: repo.owner, repo: repo.repo, path: configPath, ...(repo.ref ? { ref: repo.ref } : {}) });
  if (text === undefined) return { ok: false, missing: true };
  return parseRepoConfig(text);
}

export interface ChangedFile {
  path: string;
  /** The path at the base revision, for renamed files. */
  previousPath?: string;
  status: string;
}

/** The files a pull request changes (GitHub lists up to 3,000). */
export async function listChangedFiles(octokit: GitHubClient, pr: PullRequestRef): Promise<ChangedFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: pr.owner, repo: pr.repo, pull_number: pr.number, per_page: 100 });
  return files.map((file) => ({
    path: file.filename,
    status: file.status,
    ...(file.previous_filename ? { previousPath: file.previous_filename } : {}),
  }));
}

/** The base versions of changed files, by path at the base commit (a pull request usually changes few). */
export async function readBaseFiles(octokit: GitHubClient, params: { pr: PullRequestRef; files: ChangedFile[] }): Promise<ManifestFile[]> {
  const { pr, files } = params;
  const baseVersions = await Promise.all(
    files
      .filter((file) => file.status !== "added")
      .map(async (file): Promise<ManifestFile | undefined> => {
        const path = file.previousPath ?? file.path;
        const content = await readBytes(octokit, { owner: pr.owner, repo: pr.repo, path, ref: pr.baseSha });
        return content === undefined ? undefined : { path, content };
      }),
  );
  return baseVersions.filter((file): file is ManifestFile => file !== undefined);
}

/**
 * The files at a commit that `wanted` accepts, from the gzip'd tarball GitHub serves: one request
 * for every file, unpacked as it downloads (never whole in memory) within the server's caps.
 */
export async function readFilesAt(
  octokit: GitHubClient,
  params: RepoRef & { sha: string; wanted: (path: string) => boolean; limits?: TarballLimits; signal?: AbortSignal },
): Promise<ManifestFile[]> {
  const { signal } = params;
  // Without parseSuccessResponseBody, @octokit/request reads the whole body into an ArrayBuffer
  // first; with it, `data` is fetch's body stream (@octokit/request 10, fetch-wrapper.js).
  const response = await octokit.rest.repos.downloadTarballArchive({
    owner: params.owner,
    repo: params.repo,
    ref: params.sha,
    request: { parseSuccessResponseBody: false, ...(signal ? { signal } : {}) },
  });
  return readTarball(tarballBody(response.data), { wanted: params.wanted, limits: params.limits ?? defaultTarballLimits, ...(signal ? { signal } : {}) });
}

/** Every manifest under an environment's paths at a commit. */
export async function readEnvironmentAt(
  octokit: GitHubClient,
  params: RepoRef & { sha: string; environment: Parameters<typeof environmentMatcher>[0]; limits?: TarballLimits; signal?: AbortSignal },
): Promise<ManifestFile[]> {
  return readFilesAt(octokit, { ...params, wanted: environmentMatcher(params.environment) });
}


/** The body of the tarball response: a stream, or (from an Octokit that parsed it anyway) bytes. */
function tarballBody(data: unknown): TarballSource {
  if (data instanceof ReadableStream || data instanceof Uint8Array) return data as TarballSource;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new Error(`GitHub's tarball response has no body to read (${data === null ? "null" : typeof data})`);
}

async function readBlob(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<Buffer> {
  const { data } = await octokit.rest.git.getBlob({ owner: repo.owner, repo: repo.repo, file_sha: sha });
  return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
}

async function readText(octokit: GitHubClient, params: RepoRef & { path: string; ref?: string }): Promise<string | undefined> {
  return (await readBytes(octokit, params))?.toString("utf8");
}

/** A file's bytes at a revision (default branch without `ref`), or undefined when it does not exist there. */
async function readBytes(octokit: GitHubClient, params: RepoRef & { path: string; ref?: string }): Promise<Buffer | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: params.owner, repo: params.repo, path: params.path, ...(params.ref ? { ref: params.ref } : {}) });
    if (Array.isArray(data) || data.type !== "file") return undefined;
    // Files over 1 MB come without content from this endpoint; the blob API serves them.
    if (data.encoding === "none" || (data.content === "" && data.size > 0)) return readBlob(octokit, params, data.sha);
    return Buffer.from(data.content, "base64");
  } catch (error) {
    if (isHttpStatus(error, 404)) return undefined;
    throw error;
  }
}
