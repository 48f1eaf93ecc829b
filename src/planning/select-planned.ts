// Which objects a pull request's plan covers: those in the files it changes, and the workloads
// (anywhere in the environment) that read a ConfigMap or Secret it changes, because their config
// hash, and so their pod template, changes with it.
import { displayName, refOf } from "../manifests/object.js";
import type { SourceObject } from "../manifests/types.js";
import type { DesiredState } from "../desired/desired-state.js";
import type { LoadedSources } from "../manifests/manifest-file.js";

export function selectPlanned(params: {
  head: LoadedSources;
  base: LoadedSources;
  /** Paths the change touches; undefined when `head` holds only those files anyway. */
  changedPaths: Set<string> | undefined;
  desired: DesiredState;
}): LoadedSources {
  const { head, changedPaths } = params;
  if (!changedPaths) return head;
  const inChange = (source: SourceObject) => changedPaths.has(source.position.file);
  const changedConfig = new Set(
    [...head.objects.filter(inChange), ...params.base.objects]
      .map(({ object }) => object)
      .filter((object) => object.apiVersion === "v1" && (object.kind === "ConfigMap" || object.kind === "Secret"))
      .map((object) => displayName(refOf(object))),
  );
  const readsChangedConfig = (source: SourceObject) =>
    (params.desired.rollouts.get(displayName(refOf(source.object))) ?? []).some((config) => changedConfig.has(config));
  return {
    objects: head.objects.filter((source) => inChange(source) || readsChangedConfig(source)),
    findings: head.findings.filter((finding) => !finding.position || changedPaths.has(finding.position.file)),
  };
}
