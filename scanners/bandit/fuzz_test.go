package bandit_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/bandit"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
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
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, bandit.Adapter{}) })
}
