package gosec_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/gosec"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/gosec-2.30.0.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"Issues":[{"severity":"HIGH","confidence":"LOW","rule_id":"G101","details":"d","file":"/src/a.go","code":"3: x := \"k\"\n","line":"3","column":"2"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a := gosec.Adapter{}
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
