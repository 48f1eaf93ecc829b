#!/usr/bin/env bash
# Builds the two tools Slipway renders sources with, kustomize and helm, from the Go modules
# pinned in kustomize/go.mod and helm/go.mod beside this script, and prints two lines on stdout:
#   kustomize=<path of the kustomize binary>
#   helm=<path of the helm binary>
#
# Both are cached outside the repository, keyed by version, so only the first run pays (a few
# minutes each on two cores), as the test control plane is (test/cluster/build.sh):
#   ${SLIPWAY_CACHE_DIR:-~/.cache/slipway}/kustomize-<version>/kustomize
#   ${SLIPWAY_CACHE_DIR:-~/.cache/slipway}/helm-<version>/helm
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# As in test/cluster/build.sh: the version a go.mod requires of a module.
required_version() { awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$1"; }
kustomize_version=$(required_version "$here/kustomize/go.mod" sigs.k8s.io/kustomize/kustomize/v5)
helm_version=$(required_version "$here/helm/go.mod" helm.sh/helm/v4)

log() { printf '[render:tools] %s\n' "$*" >&2; }

cache_root=${SLIPWAY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/slipway}
mkdir -p "$cache_root"

need_go() { command -v go >/dev/null || { log "Go is required to build kustomize and helm (https://go.dev/doc/install)"; exit 1; }; }

# build NAME VERSION MODULE_DIR PACKAGE LDFLAGS VERSION_COMMAND...: builds PACKAGE in the module
# of MODULE_DIR into the cache, once; prints NAME=<path>.
build() {
  local name=$1 version=$2 module=$3 package=$4 ldflags=$5
  shift 5
  local out="$cache_root/$name-$version"
  # One build at a time: a second caller waits for the first and then finds the cache filled.
  # Each tool has its own descriptor, so the lock of the first is not held while the second builds.
  local fd
  exec {fd}>"$out.lock"
  flock "$fd"
  if [ -x "$out/$name" ] && [ -f "$out/.complete" ]; then
    echo "$name=$out/$name"
    exec {fd}>&-
    return
  fi

  need_go
  local start tmp
  start=$(date +%s)
  tmp="$out.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  log "building $name $version into $out (the first build takes a few minutes)"
  # Static and path-free, as the projects' own release builds are (CGO_ENABLED=0, -trimpath).
  (cd "$here/$module" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/$name" "$package")
  "$tmp/$name" "$@" >&2

  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
  touch "$out/.complete"
  log "built $name in $(( $(date +%s) - start ))s"
  echo "$name=$out/$name"
  exec {fd}>&-
}

build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# Stamped as kustomize's release build does (its provenance package); `kustomize version` prints it.
build kustomize "$kustomize_version" kustomize sigs.k8s.io/kustomize/kustomize/v5 \
  "-s -w -X sigs.k8s.io/kustomize/api/provenance.version=$kustomize_version -X sigs.k8s.io/kustomize/api/provenance.buildDate=$build_date" \
  version

# Stamped as Helm's Makefile does for a tagged release (no metadata, clean tree). The module zip
# carries no Git metadata, so there is no commit to name. `helm version` prints the version.
build helm "$helm_version" helm helm.sh/helm/v4/cmd/helm \
  "-s -w -X helm.sh/helm/v4/internal/version.version=$helm_version -X helm.sh/helm/v4/internal/version.metadata= -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
  version --short
