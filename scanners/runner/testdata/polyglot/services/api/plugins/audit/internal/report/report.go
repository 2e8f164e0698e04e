// Package report names audit reports.
package report

import "path/filepath"

// Path returns where the report of a run is kept.
func Path(dir, run string) string {
	return filepath.Join(dir, run+".html")
}
