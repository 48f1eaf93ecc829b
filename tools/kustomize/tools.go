//go:build tools

// Package kustomize only records the kustomize command that Slipway renders Kustomize sources
// with, so that `go mod tidy` keeps its dependencies in go.sum.
package kustomize

import _ "sigs.k8s.io/kustomize/kustomize/v5"
