package aggregate_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// normalizeOne runs one finding through the engine with root and returns
// the finding kept and the warnings.
func normalizeOne(t *testing.T, root string, f *finding.Finding) (*finding.Finding, []string) {
	t.Helper()
	rep := runFindings(t, &aggregate.Options{Root: root}, f)
	if len(rep.Findings) != 1 {
		t.Fatalf("%d findings, want 1; warnings %q", len(rep.Findings), rep.Warnings)
	}
	return rep.Findings[0], rep.Warnings
}

func TestNormalizeCWEs(t *testing.T) {
	tests := []struct {
		reason    string
		edit      func(f *finding.Finding)
		want      []int
		untrusted string
	}{
		{"CodeQL tag", func(f *finding.Finding) { f.Rule.Tags = []string{"security", "external/cwe/cwe-079"} }, []int{79}, ""},
		{"upper-case tag", func(f *finding.Finding) { f.Rule.Tags = []string{"CWE-89"} }, []int{89}, ""},
		{"underscore tag", func(f *finding.Finding) { f.Rule.Tags = []string{"cwe_22"} }, []int{22}, ""},
		{"rule description", func(f *finding.Finding) { f.Rule.FullDescription = "Maps to CWE-78 and CWE-77." }, []int{77, 78}, ""},
		{"message", func(f *finding.Finding) { f.Message = "SQL built from input (CWE-89)" }, []int{89}, ""},
		{"property list", func(f *finding.Finding) { f.Properties = map[string]string{"cwe": `["CWE-502","CWE-20"]`} }, []int{20, 502}, ""},
		{"property number", func(f *finding.Finding) { f.Properties = map[string]string{"cwe_id": "611"} }, []int{611}, ""},
		{"unrelated number", func(f *finding.Finding) { f.Message = "line 79 of 89" }, nil, ""},
		{"already set, merged and sorted", func(f *finding.Finding) { f.CWEs = []int{798}; f.Rule.Tags = []string{"CWE-259"} }, []int{259, 798}, ""},
		{"category is flagged", func(f *finding.Finding) { f.Rule.Tags = []string{"CWE-16", "CWE-79"} }, []int{16, 79}, "16"},
		{"view is flagged", func(f *finding.Finding) { f.Rule.Tags = []string{"CWE-1000"} }, []int{1000}, "1000"},
		{"unknown id is flagged", func(f *finding.Finding) { f.Rule.Tags = []string{"CWE-99999", "CWE-0"} }, []int{99999}, "0,99999"},
		{"CWE-20 is a weakness", func(f *finding.Finding) { f.Rule.Tags = []string{"CWE-20"} }, []int{20}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			f := src("tool", "R1", finding.SeverityLow, "a.go", 1, 1)
			tt.edit(f)
			got, _ := normalizeOne(t, "", f)
			if !slices.Equal(got.CWEs, tt.want) {
				t.Errorf("CWEs = %v, want %v", got.CWEs, tt.want)
			}
			if u := got.Properties[aggregate.PropCWEUntrusted]; u != tt.untrusted {
				t.Errorf("%s = %q, want %q", aggregate.PropCWEUntrusted, u, tt.untrusted)
			}
		})
	}
}

func TestCWEUntrusted(t *testing.T) {
	for n, want := range map[int]string{16: "category", 1000: "view", 0: "unknown", 1501: "unknown", 632: "deprecated"} {
		if got, ok := aggregate.CWEUntrusted(n); !ok || got != want {
			t.Errorf("CWEUntrusted(%d) = %q, %v; want %q", n, got, ok, want)
		}
	}
	for _, n := range []int{20, 22, 79, 89, 798, 1333} {
		if got, ok := aggregate.CWEUntrusted(n); ok {
			t.Errorf("CWEUntrusted(%d) = %q, want a weakness", n, got)
		}
	}
}

func TestNormalizeCategory(t *testing.T) {
	tests := []struct {
		reason string
		edit   func(f *finding.Finding)
		want   finding.Category
	}{
		{"plain code finding", func(f *finding.Finding) {}, finding.CategorySAST},
		{"secret rule", func(f *finding.Finding) { f.Rule.ID = "generic-api-token" }, finding.CategorySecret},
		{"credential tag", func(f *finding.Finding) { f.Rule.Tags = []string{"Credentials"} }, finding.CategorySecret},
		{"secret fingerprint", func(f *finding.Finding) { f.Fingerprints = map[string]string{"secret/sha256": "ab"} }, finding.CategorySecret},
		{"web location", func(f *finding.Finding) { f.Location = finding.Location{Web: &finding.Web{URL: "https://x/y"}} }, finding.CategoryDAST},
		{"package", func(f *finding.Finding) { f.Location.Package = &finding.Package{Name: "lodash"} }, finding.CategoryDependency},
		{"package in an image", func(f *finding.Finding) {
			f.Location.Package = &finding.Package{Name: "openssl", Image: "alpine:3.10"}
		}, finding.CategoryContainer},
		{"resource", func(f *finding.Finding) { f.Location.Resource = "aws_s3_bucket.b" }, finding.CategoryIaC},
		{"terraform file", func(f *finding.Finding) { f.Location.Path = "infra/main.tf" }, finding.CategoryIaC},
		{"Dockerfile", func(f *finding.Finding) { f.Location.Path = "build/Dockerfile" }, finding.CategoryIaC},
		{"k8s manifest", func(f *finding.Finding) { f.Location.Path = "k8s/deployment.yaml" }, finding.CategoryIaC},
		{"other YAML", func(f *finding.Finding) { f.Location.Path = ".github/labels.yml" }, finding.CategorySAST},
		{"set category is kept", func(f *finding.Finding) { f.Category = finding.CategoryOther; f.Location.Path = "main.tf" }, finding.CategoryOther},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			f := src("tool", "R1", finding.SeverityLow, "a.go", 1, 1)
			f.Category = ""
			tt.edit(f)
			got, _ := normalizeOne(t, "", f)
			if got.Category != tt.want {
				t.Errorf("category %s, want %s", got.Category, tt.want)
			}
		})
	}
}

func TestNormalizePathsAndSeverity(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"cmd/main.go", "x.go", "a.go"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("absolute path under the root", func(t *testing.T) {
		f := src("tool", "R1", finding.SeverityLow, filepath.Join(root, "cmd", "main.go"), 3, 3)
		f.Related = []finding.Location{{Path: "file://" + filepath.ToSlash(root) + "/x.go", Region: finding.Region{StartLine: 1}}}
		got, warns := normalizeOne(t, root, f)
		if got.Location.Path != "cmd/main.go" || got.Related[0].Path != "x.go" || len(warns) != 0 {
			t.Errorf("paths %q %q, warnings %q", got.Location.Path, got.Related[0].Path, warns)
		}
	})
	t.Run("path escaping the root is kept, cleared and warned about", func(t *testing.T) {
		f := src("tool", "R1", finding.SeverityLow, "/etc/passwd", 3, 3)
		got, warns := normalizeOne(t, root, f)
		if got.Location.Path != "" || !got.Location.Region.IsZero() || got.Properties[aggregate.PropOriginalPath] != "/etc/passwd" ||
			got.Properties[aggregate.PropOriginalRegion] != "3:0-3:0" {
			t.Errorf("location %+v, properties %v", got.Location, got.Properties)
		}
		if len(warns) != 1 || !strings.Contains(warns[0], "findings point outside the root (pass --root)") {
			t.Errorf("warnings %q", warns)
		}
	})
	t.Run("severity from the original", func(t *testing.T) {
		f := src("tool", "R1", finding.SeverityUnset, "a.go", 1, 1)
		f.OriginalSeverity = "7.5"
		got, warns := normalizeOne(t, root, f)
		if got.Severity != finding.SeverityHigh || len(warns) != 0 {
			t.Errorf("severity %s, warnings %q", got.Severity, warns)
		}
	})
	t.Run("no usable severity is medium with a warning", func(t *testing.T) {
		f := src("tool", "R1", finding.SeverityUnset, "a.go", 1, 1)
		f.OriginalSeverity = "urgent"
		got, warns := normalizeOne(t, root, f)
		if got.Severity != finding.SeverityMedium || len(warns) != 1 || !strings.Contains(warns[0], "set to medium") {
			t.Errorf("severity %s, warnings %q", got.Severity, warns)
		}
	})
	t.Run("invalid findings are dropped with a warning", func(t *testing.T) {
		bad := src("tool", "R1", finding.SeverityLow, "a.go", 5, 2) // ends before it starts
		rep := runFindings(t, nil, bad, src("tool", "R2", finding.SeverityLow, "a.go", 1, 1))
		if len(rep.Findings) != 1 || rep.Sources[0].Dropped != 1 || rep.Sources[0].Findings != 2 {
			t.Errorf("%d findings, status %+v", len(rep.Findings), rep.Sources[0])
		}
		if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "invalid findings dropped") {
			t.Errorf("warnings %q", rep.Warnings)
		}
	})
}
