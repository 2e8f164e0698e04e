package gosec_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/gosec"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
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
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, gosec.Adapter{}) })
}
