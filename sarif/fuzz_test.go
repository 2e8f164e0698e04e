package sarif

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that Decode never panics, and that a log it accepts
// survives Write (ProfileFull, no limits) and a second Decode with the
// same number of findings. Seeds: the reader's testdata and, when the
// shared directory is there, the corpus SARIF files.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "reader", "*.sarif"))
	if _, err := os.Stat(filepath.Join(rdSharedDir, "corpus", "MANIFEST.tsv")); err == nil {
		for _, e := range rdReadManifest(f) {
			if e.format == "sarif" || e.format == "sarif-corrupt" {
				seeds = append(seeds, e.path)
			}
		}
	} else {
		f.Logf("corpus seeds skipped: %s/corpus is missing", rdSharedDir)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":"2.1.0","runs":[]}`))
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"r","message":{"text":"{0}","arguments":["a"]}}]}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		runs, err := Read(bytes.NewReader(data), "fuzz.sarif", nil)
		if err != nil {
			return
		}
		n := 0
		for _, r := range runs {
			n += len(r.Findings)
			for i := range r.Findings {
				if err := r.Findings[i].Validate(); err != nil {
					t.Fatalf("finding does not validate: %v", err)
				}
			}
		}
		var buf bytes.Buffer
		if _, err := Write(&buf, runs, &WriteOptions{Profile: ProfileFull, Limits: &Limits{}}); err != nil {
			t.Fatalf("Write of a decoded log: %v", err)
		}
		back, err := Read(bytes.NewReader(buf.Bytes()), "written.sarif", nil)
		if err != nil {
			t.Fatalf("decoding the written log: %v\n%s", err, rdTruncate(buf.String(), 2000))
		}
		m := 0
		for _, r := range back {
			m += len(r.Findings)
		}
		if m != n {
			t.Fatalf("%d findings after the round trip, want %d", m, n)
		}
	})
}
