package finding

import "testing"

// BenchmarkValidate measures Validate on valid findings: one that uses
// every field (validFinding) and a typical SAST finding with a
// fingerprint and a property.
func BenchmarkValidate(b *testing.B) {
	typical := &Finding{
		Tool:     Tool{Name: "gosec", Version: "2.30.0"},
		Rule:     Rule{ID: "G104", Name: "ErrorsUnhandled", Tags: []string{"security", "cwe-703"}},
		Message:  "Errors unhandled",
		Category: CategorySAST,
		Severity: SeverityLow,
		CWEs:     []int{703},
		Location: Location{
			Path:   "internal/db/conn.go",
			Region: Region{StartLine: 9, StartColumn: 2, EndLine: 9, EndColumn: 30},
		},
		Fingerprints: map[string]string{FingerprintLineHash: "e6154b5b68fe4a8d:1"},
		Properties:   map[string]string{"confidence": "HIGH"},
	}
	for _, bc := range []struct {
		name string
		f    *Finding
	}{{"full", validFinding()}, {"typical", typical}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.f.Validate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
