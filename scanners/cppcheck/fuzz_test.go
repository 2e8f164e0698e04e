package cppcheck_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/cppcheck"
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
	f.Fuzz(func(t *testing.T, b []byte) {
		a := cppcheck.Adapter{}
		a.Detect(b)
		_, err := a.Decode(bytes.NewReader(b), "fuzz", &scanners.Options{Root: "/src"}, func(fd *finding.Finding) error {
			if err := fd.Validate(); err != nil {
				t.Errorf("invalid finding %+v: %v", fd, err)
			}
			return nil
		})
		if err != nil && !errors.Is(err, scanners.ErrFormat) {
			t.Errorf("error %v does not wrap ErrFormat", err)
		}
	})
}
