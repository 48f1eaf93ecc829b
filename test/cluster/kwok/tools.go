//go:build tools

// Package kwok only records the kwok command built for the test control plane.
package kwok

import _ "sigs.k8s.io/kwok/cmd/kwok"
