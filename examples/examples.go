// Package examples holds the example nest, built into the binary so that
// `hatchery demo` works from anywhere.
package examples

import "embed"

// Nest is the example nest: the files below nest/.
//
//go:embed nest
var Nest embed.FS
