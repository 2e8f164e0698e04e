package govulncheck

import (
	"path"

	"github.com/scanmux/scanmux/finding"
)

// RefineSARIF places a finding read from govulncheck's SARIF where its
// JSON stream places it. The SARIF puts every finding at line 1 of go.mod
// and, for a vulnerable symbol that is called, gives a summarized code
// flow from the main module's call site to the symbol: the call site
// (the last step in the scan root, nearest the symbol) becomes the
// location, as in the JSON adapter, and go.mod keeps no line.
func (Adapter) RefineSARIF(f *finding.Finding) {
	if len(f.Flows) > 0 {
		steps := f.Flows[0].Steps
		for i := len(steps) - 1; i >= 0; i-- {
			if steps[i].Path != "" {
				f.Related = append(f.Related, f.Location)
				f.Location.Path, f.Location.Region = steps[i].Path, steps[i].Region
				return
			}
		}
	}
	if path.Base(f.Location.Path) == "go.mod" && f.Location.Region.StartLine <= 1 {
		f.Location.Region = finding.Region{}
	}
}
