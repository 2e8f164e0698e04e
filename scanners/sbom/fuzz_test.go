package sbom_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/sbom"
)

// FuzzDecode checks that the adapters neither panic nor emit invalid
// findings on any input, and fail only with format errors (an SBOM's
// ErrNotFindings wraps ErrFormat too).
func FuzzDecode(f *testing.F) {
	for _, path := range []string{"testdata/osv-scanner-v2.6.0-cyclonedx.json", "testdata/trivy-shape-cdx1.6.json", "testdata/cyclonedx-gomod-1.10.0-cdx1.5.xml"} {
		seed, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","creationInfo":{"creators":["Tool: x-1"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, sbom.Adapters()...) })
}
