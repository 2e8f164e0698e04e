// Package builtin lists the scanners compiled into the scanmux binary, so
// that a machine with only Go gets a useful scan: gosec and gitleaks linked
// as libraries, and scanmux's IaC rules (scanmux-iac) run by the embedded
// OPA engine.
//
// The scanmux binary also serves each of them as a plugin (it re-executes
// itself, the way Packer runs its bundled plugins), so a crashing built-in
// is isolated like any other plugin.
package builtin

import (
	"slices"

	"github.com/scanmux/scanmux/plugin"
	gitleaks "github.com/scanmux/scanmux/scanners/gitleaks/embedded"
	gosec "github.com/scanmux/scanmux/scanners/gosec/embedded"
	"github.com/scanmux/scanmux/scanners/iac"
)

// Builtin is one built-in scanner.
type Builtin struct {
	// Name is the scanner's name, as in --scanners and .scanmux.yaml.
	Name string
	// Quick marks scanners fast enough for the pre-commit profile.
	Quick bool
	// New returns the scanner.
	New func() (plugin.Scanner, error)
}

// All returns the built-in scanners in a fixed order.
func All() []Builtin {
	return slices.Clone(all)
}

var all = []Builtin{
	{Name: "gosec", Quick: true, New: func() (plugin.Scanner, error) { return gosec.Scanner{}, nil }},
	{Name: "gitleaks", Quick: true, New: func() (plugin.Scanner, error) { return gitleaks.Scanner{}, nil }},
	{Name: "scanmux-iac", Quick: true, New: func() (plugin.Scanner, error) { return iac.New() }},
}

// Lookup returns the built-in named name.
func Lookup(name string) (Builtin, bool) {
	for _, b := range all {
		if b.Name == name {
			return b, true
		}
	}
	return Builtin{}, false
}
