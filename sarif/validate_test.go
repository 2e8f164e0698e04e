package sarif

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validateSamples are the files of testdata/validate with Validate's
// verdict (wantError) and whether Microsoft's SARIF Multitool 5.7.0
// ("Sarif;Gh" rules) reaches the same verdict. Where it does not, reason
// says why Validate is stricter: GitHub rejects those files although the
// Multitool's current "Gh" rules do not check them.
var validateSamples = []struct {
	file      string
	wantError bool
	differs   string // non-empty: Multitool reports no error, and why we do
}{
	{"valid-minimal", false, ""},
	{"valid-empty-results", false, ""},
	{"valid-absolute-file-uri-with-working-directory", false, ""},
	{"absolute-file-uri", false, ""},
	{"missing-region", false, ""},
	{"message-unfilled-placeholders", false, ""},
	{"related-without-physical", false, ""},
	{"rule-id-mismatch", false, ""},
	{"missing-locations", true, ""},
	{"empty-locations", true, ""},
	{"empty-message-text", true, ""},
	{"message-without-text", true, ""},
	{"bad-rule-index", true, ""},
	{"null-short-description", true, ""},
	{"null-fingerprints", true, ""},
	{"missing-start-line", true, ""},
	{"missing-tool-name", true, ""},
	{"region-end-before-start", true, ""},
	{"uri-base-without-slash", true, ""},
	{"wrong-version", true, ""},
	{"bad-level", true, "the schema's level enum; the Multitool accepts \"fatal\""},
	{"absolute-https-uri", true, "GitHub rejects non-file schemes: unrecognized SARIF location URI scheme"},
	{"logical-location-only", true, "GitHub rejects results without a physical location"},
	{"threadflow-location-index", true, "old GH1002: GitHub needs inline thread-flow locations"},
	{"too-many-tags", true, "GitHub's documented limit of 20 tags per rule"},
	{"too-many-related-locations", true, "GitHub's documented limit of 1,000 locations per result"},
}

func samplePath(name string) string { return filepath.Join("testdata", "validate", name+".sarif") }

func TestValidateSamples(t *testing.T) {
	files, _ := filepath.Glob(samplePath("*"))
	if len(files) != len(validateSamples) {
		t.Errorf("%d sample files, %d in the table", len(files), len(validateSamples))
	}
	for _, s := range validateSamples {
		data, err := os.ReadFile(samplePath(s.file))
		if err != nil {
			t.Fatal(err)
		}
		ps, err := Validate(data)
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		if got := hasError(ps); got != s.wantError {
			t.Errorf("%s: error = %v, want %v; problems:\n%v", s.file, got, s.wantError, ps)
		}
		for _, p := range ps {
			if p.Rule == "" || p.Message == "" || (p.Level != "error" && p.Level != "warning") || (p.Path != "" && !strings.HasPrefix(p.Path, "/")) {
				t.Errorf("%s: malformed problem %+v", s.file, p)
			}
		}
	}
}

func hasError(ps []Problem) bool {
	for _, p := range ps {
		if p.Level == "error" {
			return true
		}
	}
	return false
}

// TestValidateMatchesMultitool compares Validate's verdict with the real
// validator's on every sample, in one run of the validator.
func TestValidateMatchesMultitool(t *testing.T) {
	var files []string
	for _, s := range validateSamples {
		files = append(files, samplePath(s.file))
	}
	counts := runValidator(t, files...)
	for _, s := range validateSamples {
		mt := counts[samplePath(s.file)] > 0
		switch {
		case s.differs == "" && mt != s.wantError:
			t.Errorf("%s: Multitool error = %v, Validate error = %v", s.file, mt, s.wantError)
		case s.differs != "" && mt:
			t.Errorf("%s: the Multitool now reports an error too; drop the recorded difference (%s)", s.file, s.differs)
		}
	}
}

func TestValidateNotJSON(t *testing.T) {
	if _, err := Validate([]byte("{")); !errors.Is(err, ErrNotJSON) {
		t.Errorf("err = %v, want ErrNotJSON", err)
	}
}

func TestValidatePaths(t *testing.T) {
	data, err := os.ReadFile(samplePath("bad-rule-index"))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Validate(data)
	if err != nil || len(ps) != 1 {
		t.Fatalf("problems %v, err %v", ps, err)
	}
	want := Problem{Path: "/runs/0/results/0/ruleIndex", Rule: "SARIF1009", Level: "error", Message: "ruleIndex 4, but tool.driver.rules has 1 elements"}
	if ps[0] != want {
		t.Errorf("got %+v, want %+v", ps[0], want)
	}
}
