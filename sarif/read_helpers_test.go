package sarif

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scanmux/scanmux/finding"
)

// rdCheckFinding checks the invariants the reader promises for every
// finding.
func rdCheckFinding(t *testing.T, f *finding.Finding) {
	t.Helper()
	if err := f.Validate(); err != nil {
		t.Errorf("finding %s does not validate: %v", f.Rule.ID, err)
	}
	switch {
	case f.Tool.Name == "":
		t.Errorf("finding without tool name: %+v", f)
	case f.Rule.ID == "":
		t.Errorf("finding without rule id: %+v", f)
	case strings.TrimSpace(f.Message) == "":
		t.Errorf("finding %s without message", f.Rule.ID)
	case !f.Category.Valid():
		t.Errorf("finding %s: bad category %q", f.Rule.ID, f.Category)
	case !f.Severity.Valid():
		t.Errorf("finding %s: bad severity %v", f.Rule.ID, f.Severity)
	}
	locs := append([]finding.Location{f.Location}, f.Related...)
	for _, fl := range f.Flows {
		locs = append(locs, fl.Steps...)
	}
	for _, l := range locs {
		if p := l.Path; p != "" && (strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../") || strings.Contains(p, `\`) || !utf8.ValidString(p)) {
			t.Errorf("finding %s: bad path %q", f.Rule.ID, p)
		}
	}
	if !utf8.ValidString(f.Message) {
		t.Errorf("finding %s: message not UTF-8", f.Rule.ID)
	}
}
