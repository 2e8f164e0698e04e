package baseline_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/sarif"
)

// Compare the second scan of testdata with the SARIF log of the first.
func ExampleBaseline_Compare() {
	dir, err := os.MkdirTemp("", "baseline")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// The first scan, with identities, saved as SARIF.
	first := scanV1()
	if err := aggregate.Identify(first, "testdata/v1"); err != nil {
		log.Fatal(err)
	}
	run := sarif.Run{Tool: first[0].Tool, Findings: first}
	logPath := filepath.Join(dir, "previous.sarif")
	out, err := os.Create(logPath)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sarif.Write(out, []sarif.Run{run}, &sarif.WriteOptions{Root: "testdata/v1", Profile: sarif.ProfileFull}); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}

	// The second scan, compared with the first.
	base, err := baseline.Load(logPath, "testdata/v2")
	if err != nil {
		log.Fatal(err)
	}
	second := scanV2()
	if err := aggregate.Identify(second, "testdata/v2"); err != nil {
		log.Fatal(err)
	}
	absent := base.Compare(second)
	for _, f := range second {
		fmt.Printf("%s line %d: %s\n", f.Rule.ID, f.Location.Region.StartLine, f.Baseline)
	}
	for _, f := range absent {
		fmt.Printf("%s line %d: %s\n", f.Rule.ID, f.Location.Region.StartLine, f.Baseline)
	}
	// Output:
	// G401 line 15: unchanged
	// G404 line 19: updated
	// G204 line 23: new
	// G304 line 27: updated
	// G115 line 32: new
	// G204 line 19: absent
}
