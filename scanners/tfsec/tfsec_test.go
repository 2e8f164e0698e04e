package tfsec_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/tfsec"
)

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool { return r.Tool == "tfsec" && r.Format == "native-json" }

// decode decodes r with the adapter and returns the findings, which must
// validate.
func decode(t *testing.T, r io.Reader, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.Decode(t, tfsec.Adapter{}, r, "report.json", opts)
}

func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, tfsec.Adapter{}, nil, func(t *testing.T, r corpustest.Row, _ finding.Tool, _ []*finding.Finding) {
		data, err := os.ReadFile(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !(tfsec.Adapter{}).Detect(data[:min(len(data), scanners.DetectBytes)]) {
			t.Error("Detect does not claim the file")
		}
		var raw struct{ Results []map[string]any }
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatal(err)
		}
		for _, opts := range []*scanners.Options{nil, {Root: "/tmp/aws-eks"}} {
			_, got := corpustest.DecodeFile(t, tfsec.Adapter{}, r.Path, opts)
			r.CheckCount(t, len(got))
			if len(got) != len(raw.Results) {
				t.Errorf("%d findings, %d results", len(got), len(raw.Results))
			}
			for i, f := range got {
				if err := f.Validate(); err != nil {
					t.Errorf("finding %d: %v", i, err)
				}
				sev := raw.Results[i]["severity"].(string)
				wantSev, _ := finding.ParseSeverity(sev)
				if f.Severity != wantSev || f.OriginalSeverity != sev || f.Category != finding.CategoryIaC {
					t.Errorf("finding %d: severity %s (%s) category %s", i, f.Severity, f.OriginalSeverity, f.Category)
				}
				if opts != nil && (f.Location.Path == "" || f.Location.Region.StartLine == 0) {
					t.Errorf("finding %d: location %+v", i, f.Location)
				}
			}
		}
	})
}

// TestDetectCorpus checks that Detect claims tfsec JSON reports and
// nothing else in the corpus.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, tfsec.Adapter{}) }

func TestGolden(t *testing.T) {
	_, got := corpustest.DecodeFile(t, tfsec.Adapter{}, corpustest.File(t, "tfsec/tfsec-many.json"), &scanners.Options{Root: "/tmp/aws-eks"})
	f := got[0]
	if f.Rule.ID != "aws-vpc-no-excessive-port-access" || f.Rule.ShortDescription != "An ingress Network ACL rule allows ALL ports." ||
		f.Rule.HelpText != "Set specific allowed ports" || f.Rule.FullDescription != "All ports exposed for egressing data" ||
		f.Rule.HelpURI != "https://tfsec.dev/docs/aws/vpc/no-excessive-port-access#aws/vpc" ||
		f.Message != "Resource 'module.SUBNETS:aws_network_acl_rule.public_inbound[0]' defines a fully open ingress Network ACL rule with ALL ports open." ||
		f.Severity != finding.SeverityCritical || f.OriginalSeverity != "CRITICAL" ||
		f.Location.Path != "modules/vpc-subnets/resources.tf" || f.Location.Region != (finding.Region{StartLine: 155, EndLine: 155}) ||
		f.Properties["legacy_rule_id"] != "AWS050" || len(f.Rule.Tags) != 1 || f.Rule.Tags[0] != "aws" {
		t.Errorf("finding 0: %+v", f)
	}
	f = got[1]
	if f.Rule.ID != "aws-vpc-no-public-egress-sgr" || f.Location.Path != "modules/security-group/main.tf" ||
		f.Location.Region.StartLine != 72 || f.Properties["legacy_rule_id"] != "AWS007" {
		t.Errorf("finding 1: %+v", f)
	}

	_, got = corpustest.DecodeFile(t, tfsec.Adapter{}, corpustest.File(t, "tfsec/tfsec-many.json"), nil)
	if got[0].Location.Path != "" || got[0].Properties["unresolvedPath"] != "/tmp/aws-eks/modules/vpc-subnets/resources.tf" ||
		got[0].Properties["start_line"] != "155" {
		t.Errorf("no root: %+v %v", got[0].Location, got[0].Properties)
	}
}

// TestStatus covers what the corpus lacks: tfsec 1.x reports, whose
// status is a number (0 failed, 1 passed, 2 ignored) and which carry
// long_id and resource. The input follows tfsec 1.28's JSON formatter.
func TestStatus(t *testing.T) {
	const in = `{"results": [
 {"rule_id": "AVD-AWS-0107", "long_id": "aws-ec2-no-public-ingress-sgr", "rule_description": "An ingress security group rule allows traffic from /0.",
  "rule_provider": "aws", "rule_service": "ec2", "impact": "Your port exposed to the internet", "resolution": "Set a more restrictive cidr range",
  "links": ["https://aquasecurity.github.io/tfsec/v1.28.1/checks/aws/ec2/no-public-ingress-sgr/", "https://registry.terraform.io/x"],
  "description": "Security group rule allows ingress from public internet.", "severity": "CRITICAL", "warning": false, "status": 0,
  "resource": "aws_security_group.web", "location": {"filename": "/src/main.tf", "start_line": 8, "end_line": 8}},
 {"rule_id": "AVD-AWS-0104", "long_id": "aws-ec2-no-public-egress-sgr", "rule_description": "x", "severity": "CRITICAL", "status": 1,
  "location": {"filename": "/src/main.tf", "start_line": 9, "end_line": 9}},
 {"rule_id": "AVD-AWS-0124", "long_id": "aws-ec2-add-description-to-security-group-rule", "rule_description": "Missing description.", "severity": "LOW", "status": 2,
  "location": {"filename": "/src/main.tf", "start_line": 3, "end_line": 12}}]}`
	_, got := decode(t, strings.NewReader(in), &scanners.Options{Root: "/src"})
	if len(got) != 2 {
		t.Fatalf("%d findings, want 2 (the passed check is not one)", len(got))
	}
	for _, f := range got {
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
	}
	f := got[0]
	if f.Rule.ID != "aws-ec2-no-public-ingress-sgr" || f.Properties["rule_id"] != "AVD-AWS-0107" || f.Location.Resource != "aws_security_group.web" ||
		f.Location.Path != "main.tf" || f.Suppressed() || len(f.Rule.Tags) != 2 || f.Properties["links"] == "" {
		t.Errorf("failed: %+v", f)
	}
	if !got[1].Suppressed() || got[1].Suppressions[0].Kind != finding.SuppressionInSource || got[1].Severity != finding.SeverityLow {
		t.Errorf("ignored: %+v", got[1])
	}
	_, got = decode(t, strings.NewReader(`{"results": null}`), nil)
	if len(got) != 0 {
		t.Errorf("null results: %d findings", len(got))
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not json", "hello"},
		{"truncated", `{"results": [{"rule_id": "x"`},
		{"no results", `{"version": "1"}`},
		{"array", `[{"RuleID": "x"}]`},
		{"bad status", `{"results": [{"rule_id": "x", "status": "weird"}]}`},
		{"results not array", `{"results": {}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tfsec.Adapter{}.Decode(strings.NewReader(tc.in), "r.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "r.json") {
				t.Errorf("err = %v", err)
			}
		})
	}
}
