//go:build tools

// Package helm only records the helm command that Slipway renders Helm charts with, so that
// `go mod tidy` keeps its dependencies in go.sum.
package helm

import _ "helm.sh/helm/v4/cmd/helm"
