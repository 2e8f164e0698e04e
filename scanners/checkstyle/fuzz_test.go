package checkstyle_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/checkstyle"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	for _, path := range []string{"testdata/shellcheck-0.9.0-vuln.xml", "testdata/eslint-8.57.1.xml"} {
		seed, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Add([]byte(`<checkstyle version="5.0"><file name="/src/main.tf"><error source="aws-s3-x" line="1" column="0" severity="error" message="m" link="https://aquasecurity.github.io/tfsec/v1/checks/x/"></error></file></checkstyle>`))
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, checkstyle.Adapter{}) })
}
