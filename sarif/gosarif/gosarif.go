// Package gosarif connects package sarif with github.com/owenrumney/go-sarif/v2,
// the SARIF library that many Go tools (trivy, tfsec and others) build
// their reports with: [FromReport] reads a go-sarif report as scanmux runs
// of findings, and [ToReport] gives scanmux runs as a go-sarif report.
//
// It is a package of its own so that programs that use package sarif
// without go-sarif do not link it. Both directions go through SARIF's JSON
// form: a go-sarif report is marshalled and read by [sarif.Read], runs are
// written by [sarif.Write] and unmarshalled by go-sarif. So a finding comes
// out of FromReport exactly as it comes out of reading the same log from a
// file, and ToReport's report holds exactly the log [sarif.Write] writes,
// GitHub's limits included (what the writer left out is in the summary).
//
// go-sarif keeps property bags as map[string]interface{}: a property that
// holds a JSON object comes back from ToReport with its members sorted by
// name, and a number as go-sarif's float64 gives it.
package gosarif

import (
	"bytes"
	"encoding/json"
	"fmt"

	gsarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/scanmux/scanmux/sarif"
)

// FromReport reads a go-sarif report as [sarif.Read] reads its JSON:
// every run with its findings, converted with opts (nil for the
// defaults). name is used in errors only. A nil report is an error.
func FromReport(report *gsarif.Report, name string, opts *sarif.ReadOptions) ([]sarif.Run, error) {
	if report == nil {
		return nil, fmt.Errorf("gosarif: %s: nil report", name)
	}
	// json.Marshal, not report.Write: Write deduplicates the runs'
	// artifacts in place, which would renumber the indexes results use.
	data, err := json.Marshal(report)
	if err != nil {
		return nil, fmt.Errorf("gosarif: %s: encoding report: %w", name, err)
	}
	return sarif.Read(bytes.NewReader(data), name, opts)
}

// ToReport writes runs as [sarif.Write] does, with opts (nil for the
// defaults), and returns the log as a go-sarif report together with what
// the writer wrote and left out.
func ToReport(runs []sarif.Run, opts *sarif.WriteOptions) (*gsarif.Report, *sarif.WriteSummary, error) {
	var buf bytes.Buffer
	sum, err := sarif.Write(&buf, runs, opts)
	if err != nil {
		return nil, nil, err
	}
	report, err := gsarif.FromBytes(buf.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("gosarif: decoding the written log: %w", err)
	}
	return report, sum, nil
}
