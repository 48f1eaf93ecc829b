//go:build tools

// Package prometheus only records the Prometheus command built for the canary tests, so that
// `go mod tidy` keeps its dependencies in go.sum.
package prometheus

import _ "github.com/prometheus/prometheus/cmd/prometheus"
