package staticcheck_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/staticcheck"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/staticcheck-0.8.2.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"code":"ST1005","severity":"ignored","location":{"file":"/src/a.go","line":3,"column":9},"end":{"file":"/src/a.go","line":3,"column":1},"message":"m","related":[{"location":{"file":"/etc/x.go","line":-1},"message":""}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, staticcheck.Adapter{}) })
}
