package bandit_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/bandit"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/bandit-1.6.2.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"errors":[],"generated_at":"x","metrics":{},"results":[{"code":"3 p = 'pw1'\n4 x\n","filename":"a\\b.py","issue_confidence":"MEDIUM","issue_cwe":{"id":259},"issue_severity":"LOW","issue_text":"Possible hardcoded password: 'pw1'","line_number":3,"line_range":[3,4],"col_offset":4,"end_col_offset":9,"test_id":"B105","test_name":"t"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a := bandit.Adapter{}
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
