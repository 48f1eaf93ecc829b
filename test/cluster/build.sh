#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
# and, when it builds, kwok) from the Go modules pinned in this directory, and prints the
# directory that holds the binaries as its last line. Then it has build-canary.sh build
# Prometheus and fetch the Gateway API and Istio CRDs for the canary tests.
#
# The binaries are cached outside the repository, keyed by version, so only the first run
# pays for the build:  ${SLIPWAY_CACHE_DIR:-~/.cache/slipway}/k8s-<version>/
# If KUBEBUILDER_ASSETS names a directory that already holds etcd, kube-apiserver and kubectl
# (the envtest convention), that directory is used and nothing is built.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The version a go.mod requires of a module, whether on a `require x v` line or in a block.
required_version() { awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$1"; }
k8s_version=$(required_version "$here/go.mod" k8s.io/kubernetes)
etcd_version=$(required_version "$here/go.mod" go.etcd.io/etcd/server/v3)
kwok_version=$(required_version "$here/kwok/go.mod" sigs.k8s.io/kwok)
required=(etcd kube-apiserver kubectl)

log() { printf '[cluster:assets] %s\n' "$*" >&2; }

# The canary tests' assets are optional here, like kwok: when they cannot be built, only the
# canary tests fail (with build-canary.sh's error; .ci/run calls it on its own, so CI fails).
# Their paths go to /dev/null: this script's stdout ends with the control plane's directory.
finish() {
  bash "$here/build-canary.sh" >/dev/null || log "the canary tests' Prometheus or CRDs could not be built; see above"
  echo "$1"
  exit 0
}

has_all() {
  local dir=$1; shift
  local bin
  for bin in "$@"; do [ -x "$dir/$bin" ] || return 1; done
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && has_all "$KUBEBUILDER_ASSETS" "${required[@]}"; then
  log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  finish "$KUBEBUILDER_ASSETS"
fi

cache_root=${SLIPWAY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/slipway}
out="$cache_root/k8s-$k8s_version-etcd-$etcd_version-kwok-$kwok_version"
mkdir -p "$cache_root"

# One build at a time: a second caller waits for the first and then finds the cache filled.
exec 9>"$out.lock"
flock 9

if has_all "$out" "${required[@]}" kube-controller-manager kube-scheduler && [ -f "$out/.complete" ]; then
  finish "$out"
fi

command -v go >/dev/null || { log "Go is required to build the test cluster (https://go.dev/doc/install)"; exit 1; }

start=$(date +%s)
tmp="$out.tmp.$$"
rm -rf "$tmp"; mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

minor=${k8s_version#v1.}; minor=${minor%%.*}
ldflags="-s -w"
ldflags+=" -X k8s.io/component-base/version.gitVersion=$k8s_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version"
ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"

log "building Kubernetes $k8s_version and etcd $etcd_version into $out (the first build takes a while)"
(cd "$here" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl)
(cd "$here" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)

# kwok makes the pods of Deployments Running and Ready without a kubelet. It is optional:
# without it, tests drive readiness by patching status.
if (cd "$here/kwok" && go build -trimpath -ldflags "-s -w" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok); then
  log "built kwok $kwok_version"
else
  log "kwok $kwok_version did not build; tests will drive readiness by patching status"
fi

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
touch "$out/.complete"
log "built in $(( $(date +%s) - start ))s"
finish "$out"
