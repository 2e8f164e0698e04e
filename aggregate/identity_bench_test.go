package aggregate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// BenchmarkIdentify measures Identify on 10,000 findings in 100 files of
// 2,000 lines, 100 findings each, including reading the files.
func BenchmarkIdentify(b *testing.B) {
	root := b.TempDir()
	var fs []*finding.Finding
	for file := range 100 {
		var src strings.Builder
		for fn := range 200 {
			fmt.Fprintf(&src, "func f%d(a int) {\n", fn)
			for l := range 8 {
				fmt.Fprintf(&src, "\tx%d := int32(a + %d)\n", l, l%3)
			}
			src.WriteString("}\n")
		}
		name := fmt.Sprintf("f%03d.go", file)
		if err := os.WriteFile(filepath.Join(root, name), []byte(src.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		for k := range 100 {
			fs = append(fs, idSAST("G115", name, 2+k*20+k%8, 8))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := aggregate.Identify(fs, root); err != nil {
			b.Fatal(err)
		}
	}
}
