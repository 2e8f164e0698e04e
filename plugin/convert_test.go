package plugin

import (
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/scanmux/scanmux/finding"
	pb "github.com/scanmux/scanmux/proto/scanmux/plugin/v1"
)

// full is a finding with every field of the model set, so that a field the
// converters forget shows up as a difference.
func full() *finding.Finding {
	loc := func(p string) finding.Location {
		return finding.Location{
			Path:     p,
			Region:   finding.Region{StartLine: 3, StartColumn: 5, EndLine: 4, EndColumn: 9},
			Snippet:  "x := y",
			Resource: "aws_s3_bucket.logs",
			Package: &finding.Package{Name: "golang.org/x/net", Version: "v0.1.0", FixedVersion: "v0.7.0",
				Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/net@v0.1.0", Image: "alpine:3.18", Layer: "sha256:abc"},
			Web:     &finding.Web{URL: "http://127.0.0.1/x?q=1", Method: "GET", Parameter: "q", Evidence: "<script>"},
			Message: "role of " + p,
		}
	}
	return &finding.Finding{
		Tool: finding.Tool{Name: "t", Version: "1", InformationURI: "https://t"},
		Rule: finding.Rule{ID: "R1", Name: "N", ShortDescription: "s", FullDescription: "f",
			HelpText: "h", HelpMarkdown: "**h**", HelpURI: "https://h", Tags: []string{"security", "a"}},
		Message:          "m",
		Category:         finding.CategoryDependency,
		Severity:         finding.SeverityCritical,
		OriginalSeverity: "9.8",
		Precision:        finding.PrecisionVeryHigh,
		CWEs:             []int{79, 89},
		VulnIDs:          []string{"CVE-2023-1", "GHSA-xxxx-yyyy-zzzz"},
		Location:         loc("a.go"),
		Related:          []finding.Location{loc("b.go"), loc("c.go")},
		Flows:            []finding.Flow{{Message: "flow", Steps: []finding.Location{loc("src.go"), loc("sink.go")}}},
		Fingerprints:     map[string]string{finding.FingerprintLineHash: "abc:1"},
		ID:               "v1:x",
		Suppressions: []finding.Suppression{
			{Kind: finding.SuppressionInSource, Status: finding.SuppressionAccepted, Justification: "test code", Source: "nosec"},
			{Kind: finding.SuppressionExternal, Status: finding.SuppressionUnderReview, Justification: "j", Source: ".scanmux.yaml"},
		},
		Properties: map[string]string{"k": "v"},
	}
}

func TestFindingRoundTrip(t *testing.T) {
	want := full()
	b, err := proto.Marshal(findingToPB(want, ruleToPB(&want.Rule)))
	if err != nil {
		t.Fatal(err)
	}
	var p pb.Finding
	if err := proto.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if got := findingFromPB(&p); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the finding:\n got %+v\nwant %+v", got, want)
	}
}

func TestInfoAndRequestRoundTrip(t *testing.T) {
	info := &Info{
		Name: "n", Version: "v", Description: "d", InformationURI: "u",
		Categories:      finding.Categories,
		Targets:         []TargetKind{TargetDirectory, TargetFiles, TargetURL, TargetImage},
		Rules:           []finding.Rule{full().Rule},
		ProtocolVersion: ProtocolVersion,
	}
	if got := infoFromPB(infoToPB(info)); !reflect.DeepEqual(got, info) {
		t.Errorf("Info round trip:\n got %+v\nwant %+v", got, info)
	}
	req := &Request{
		Target:  Target{Kind: TargetFiles, Root: "/r", Files: []string{"a.go"}, URL: "http://x", Image: "img"},
		Options: map[string]string{"a": "b"},
		Config:  []byte("cfg"),
	}
	if got := requestFromPB(requestToPB(req)); !reflect.DeepEqual(got, req) {
		t.Errorf("Request round trip:\n got %+v\nwant %+v", got, req)
	}
	for _, lv := range []Level{LevelDebug, LevelInfo, LevelWarning, LevelError} {
		d := Diagnostic{Level: lv, Message: "m", Attrs: map[string]string{"k": "v"}}
		if got := diagnosticFromPB(diagnosticToPB(&d)); !reflect.DeepEqual(got, d) {
			t.Errorf("Diagnostic round trip: got %+v want %+v", got, d)
		}
	}
}

// A v1 host reads messages from a newer plugin: fields it does not know are
// skipped, and enum values it does not know degrade to "unset" or "other".
func TestForwardCompatibility(t *testing.T) {
	f := full()
	b, err := proto.Marshal(findingToPB(f, ruleToPB(&f.Rule)))
	if err != nil {
		t.Fatal(err)
	}
	// A newer plugin adds field 99 (a string) and a new category value.
	b = protowire.AppendTag(b, 99, protowire.BytesType)
	b = protowire.AppendString(b, "a field from protocol v1.x")
	b = protowire.AppendTag(b, 4, protowire.VarintType) // category
	b = protowire.AppendVarint(b, 42)
	b = protowire.AppendTag(b, 5, protowire.VarintType) // severity
	b = protowire.AppendVarint(b, 42)
	var p pb.Finding
	if err := proto.Unmarshal(b, &p); err != nil {
		t.Fatalf("a v1 reader rejected a message with new fields: %v", err)
	}
	got := findingFromPB(&p)
	if got.Category != finding.CategoryOther {
		t.Errorf("unknown category read as %q; want other", got.Category)
	}
	if got.Severity != finding.SeverityUnset {
		t.Errorf("unknown severity read as %v; want unset", got.Severity)
	}
	if got.Message != f.Message || got.Rule.ID != f.Rule.ID || !reflect.DeepEqual(got.Location, f.Location) {
		t.Error("known fields were lost next to unknown ones")
	}
}

func TestRuleReferences(t *testing.T) {
	seen := map[string]finding.Rule{}
	catalog := map[string]*finding.Rule{"C1": {ID: "C1", Name: "from catalog", Tags: []string{"x"}}}
	fullRule := finding.Rule{ID: "R1", Name: "full", HelpText: "help", Tags: []string{"t"}}

	r := fullRule
	resolveRule(&r, seen, catalog) // first, full: remembered
	ref := finding.Rule{ID: "R1"}
	resolveRule(&ref, seen, catalog)
	if !reflect.DeepEqual(ref, fullRule) {
		t.Errorf("reference resolved to %+v; want %+v", ref, fullRule)
	}
	ref.Tags[0] = "changed"
	if seen["R1"].Tags[0] != "t" {
		t.Error("resolved findings share the rule's tag slice")
	}
	c := finding.Rule{ID: "C1"}
	resolveRule(&c, seen, catalog)
	if c.Name != "from catalog" {
		t.Errorf("catalog reference resolved to %+v", c)
	}
	u := finding.Rule{ID: "U1"}
	resolveRule(&u, seen, catalog)
	if !reflect.DeepEqual(u, finding.Rule{ID: "U1"}) {
		t.Errorf("unknown reference changed to %+v", u)
	}
}
