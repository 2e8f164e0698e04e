package shellcheck_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/shellcheck"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/vuln-0.9.0.json1")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`[{"file":"/src/a.sh","line":2,"endLine":2,"column":3,"endColumn":5,"level":"error","code":1000,"message":"m","fix":{"replacements":[]}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a := shellcheck.Adapter{}
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
