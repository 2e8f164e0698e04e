package cppcheck_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/cppcheck"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/cppcheck-2.10.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`<results version="2"><cppcheck version="2"/><errors><error id="x" severity="warning" msg="m" cwe="1" hash="h" inconclusive="true"><location file="/src/a.c" line="2" column="3" info="i"/><location file="b.c" line="1"/><symbol>s</symbol></error></errors></results>`))
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, cppcheck.Adapter{}) })
}
