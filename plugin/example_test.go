package plugin_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

// helloScanner reports one finding per scan.
type helloScanner struct{}

func (helloScanner) Describe(context.Context) (*plugin.Info, error) {
	return &plugin.Info{Name: "hello", Version: "0.1.0", Targets: []plugin.TargetKind{plugin.TargetDirectory}}, nil
}

func (helloScanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	return out.Finding(&finding.Finding{
		Rule:     finding.Rule{ID: "HELLO1"},
		Message:  "hello from " + req.Target.Root,
		Category: finding.CategoryOther,
		Severity: finding.SeverityInfo,
		Location: finding.Location{Path: "README.md"},
	})
}

// A plugin's main is one call to Serve.
func ExampleServe() {
	if os.Getenv(plugin.Handshake.MagicCookieKey) == "" {
		return // not started by a host; Serve would explain and exit
	}
	plugin.Serve(helloScanner{})
}

// A host opens a plugin binary and scans with it. The client is a
// plugin.Scanner like any other.
func ExampleOpen() {
	ctx := context.Background()
	c, err := plugin.Open(ctx, "./scanmux-plugin-hello", &plugin.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.Scan(ctx, &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: "/src"}},
		plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error {
			fmt.Println(f.Rule.ID, f.Message)
			return nil
		}})
	if err != nil {
		log.Fatal(err)
	}
}

// The same code drives an in-process scanner: EmitFuncs turns functions
// into an Emitter.
func ExampleEmitFuncs() {
	var s plugin.Scanner = helloScanner{}
	err := s.Scan(context.Background(), &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: "/src"}},
		plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error {
			fmt.Println(f.Rule.ID, f.Severity, f.Message)
			return nil
		}})
	if err != nil {
		fmt.Println(err)
	}
	// Output: HELLO1 info hello from /src
}
