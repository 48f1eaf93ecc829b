// Pins the CustomResourceDefinitions the canary tests install: Gateway API's standard channel
// and Istio's networking CRDs, read from these modules' sources (build-canary.sh runs
// `go mod download` of each; nothing here is compiled). No Go file imports them, so
// `go mod tidy` would drop the requirements: edit the versions by hand.
module slipway.dev/testcluster/crds

go 1.26.0

require (
	istio.io/api v1.32.0
	sigs.k8s.io/gateway-api v1.6.3
)
