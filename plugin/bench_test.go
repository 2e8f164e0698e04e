package plugin_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	sarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/plugin/internal/testscanner"
)

// BenchmarkPluginStream measures findings per second from a real plugin
// process to the host, side by side with the way tools hand results over
// today: the plugin writes a SARIF file and the host parses it (go-sarif)
// into findings. Both move the same 100,000 findings.
//
//	go test -run '^$' -bench PluginStream -benchtime 5x ./plugin/
func BenchmarkPluginStream(b *testing.B) {
	const n = 100_000
	opts := map[string]string{
		testscanner.OptCount: strconv.Itoa(n), testscanner.OptMsgBytes: "200", testscanner.OptSnippet: "80",
	}
	c, err := plugin.Open(context.Background(), testPlugin, &plugin.Config{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()

	b.Run("protocol", func(b *testing.B) {
		for b.Loop() {
			var got []*finding.Finding
			err := c.Scan(context.Background(), scanReq(opts), plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error {
				got = append(got, f)
				return nil
			}})
			if err != nil || len(got) != n {
				b.Fatalf("got %d findings, err %v", len(got), err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "findings/s")
	})

	b.Run("sarif-file", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "out.sarif")
		sopts := map[string]string{testscanner.OptSARIFOut: path}
		for k, v := range opts {
			sopts[k] = v
		}
		for b.Loop() {
			if err := c.Scan(context.Background(), scanReq(sopts), plugin.EmitFuncs{}); err != nil {
				b.Fatal(err)
			}
			got, err := readSARIF(path)
			if err != nil || len(got) != n {
				b.Fatalf("got %d findings, err %v", len(got), err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "findings/s")
	})
}

// readSARIF parses a SARIF file with go-sarif into findings, as a host
// without the protocol would.
func readSARIF(path string) ([]*finding.Finding, error) {
	report, err := sarif.Open(path)
	if err != nil {
		return nil, err
	}
	var out []*finding.Finding
	for _, run := range report.Runs {
		rules := map[string]*sarif.ReportingDescriptor{}
		for _, r := range run.Tool.Driver.Rules {
			rules[r.ID] = r
		}
		for _, res := range run.Results {
			f := &finding.Finding{
				Tool:     finding.Tool{Name: run.Tool.Driver.Name},
				Category: finding.CategorySAST,
			}
			if res.RuleID != nil {
				f.Rule.ID = *res.RuleID
				if r := rules[*res.RuleID]; r != nil {
					if r.Name != nil {
						f.Rule.Name = *r.Name
					}
					if r.Help != nil && r.Help.Text != nil {
						f.Rule.HelpText = *r.Help.Text
					}
				}
			}
			if res.Message.Text != nil {
				f.Message = *res.Message.Text
			}
			if res.Level != nil {
				f.Severity, _ = finding.SeverityFromSARIFLevel(*res.Level)
			}
			if len(res.Locations) > 0 && res.Locations[0].PhysicalLocation != nil {
				pl := res.Locations[0].PhysicalLocation
				if pl.ArtifactLocation != nil && pl.ArtifactLocation.URI != nil {
					f.Location.Path = *pl.ArtifactLocation.URI
				}
				if r := pl.Region; r != nil {
					f.Location.Region = finding.Region{
						StartLine: deref(r.StartLine), StartColumn: deref(r.StartColumn),
						EndLine: deref(r.EndLine), EndColumn: deref(r.EndColumn),
					}
					if r.Snippet != nil && r.Snippet.Text != nil {
						f.Location.Snippet = *r.Snippet.Text
					}
				}
			}
			if v, ok := res.Properties["index"]; ok {
				f.Properties = map[string]string{"index": fmt.Sprint(v)}
			}
			out = append(out, f)
		}
	}
	return out, nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
