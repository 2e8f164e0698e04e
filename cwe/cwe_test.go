package cwe_test

import (
	"testing"

	"github.com/scanmux/scanmux/cwe"
)

func TestLevels(t *testing.T) {
	if got := cwe.Version(); got != "4.15" {
		t.Errorf("Version() = %q, want 4.15 (regenerate the test with the catalog)", got)
	}
	for _, c := range []struct {
		id   int
		want cwe.Level
	}{
		{79, cwe.Base},          // Cross-site Scripting
		{89, cwe.Base},          // SQL Injection
		{259, cwe.Variant},      // Use of Hard-coded Password
		{352, cwe.Compound},     // Cross-Site Request Forgery
		{327, cwe.Class},        // Use of a Broken or Risky Cryptographic Algorithm
		{693, cwe.Pillar},       // Protection Mechanism Failure
		{284, cwe.Pillar},       // Improper Access Control
		{16, cwe.Category},      // Configuration
		{1000, cwe.View},        // Research Concepts
		{1, cwe.Deprecated},     // DEPRECATED: Location
		{999999, cwe.Level("")}, // no such entry
	} {
		if got := cwe.LevelOf(c.id); got != c.want {
			t.Errorf("LevelOf(%d) = %q, want %q", c.id, got, c.want)
		}
	}
	for id, want := range map[int]bool{79: true, 259: true, 352: true, 327: false, 693: false, 16: false, 0: false} {
		if got := cwe.Specific(id); got != want {
			t.Errorf("Specific(%d) = %v, want %v", id, got, want)
		}
	}
}

func TestCatalogSize(t *testing.T) {
	// CWE 4.15 has 964 weaknesses, 409 categories and 54 views.
	n := 0
	for id := range 3000 {
		if cwe.LevelOf(id) != "" {
			n++
		}
	}
	if n != 964+409+54 {
		t.Errorf("%d entries, want %d", n, 964+409+54)
	}
}
