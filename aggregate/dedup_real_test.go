package aggregate_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/scanners/registry"
)

// Regression tests of the wrong merges seen on real tool output (issue
// "Dedup and identity right on real multi-tool output"), each on the
// recordings in testdata/real.

// mergeRecordings reads recordings (relative to testdata/real/out) through
// the engine with dedup on.
func mergeRecordings(t *testing.T, names ...string) *aggregate.Report {
	t.Helper()
	root, err := filepath.Abs(filepath.Join(realDir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var srcs []aggregate.Source
	for _, n := range names {
		srcs = append(srcs, &registry.Source{Path: localRecording(t, dir, n), Root: root})
	}
	return runTruth(t, srcs, root, true)
}

// messages returns the messages of the findings of rule in file, sorted,
// failing the test for any finding of theirs that merged another report.
func messages(t *testing.T, rep *aggregate.Report, rule, file string) []string {
	t.Helper()
	var msgs []string
	for _, f := range rep.Findings {
		if f.Rule.ID != rule || f.Location.Path != file {
			continue
		}
		msgs = append(msgs, f.Message)
		for _, a := range f.Also {
			t.Errorf("%s %q merged %s %s %q (%s)", f.Rule.ID, f.Message, a.Tool.Name, a.RuleID, a.Message, a.Match)
		}
	}
	slices.Sort(msgs)
	return msgs
}

// conftest's deny rule is generic and its findings have no line: the
// three deny findings on one manifest (host network, privileged, no limits)
// are three issues, from its JSON and its SARIF alike. Read together, the
// two reports of each are one.
func TestRealConftestDenyRulesStayApart(t *testing.T) {
	for _, name := range []string{"conftest/conftest-v0.71.1-root-json.json", "conftest/conftest-v0.71.1-root-sarif.sarif"} {
		t.Run(filepath.Ext(name), func(t *testing.T) {
			rep := mergeRecordings(t, name)
			for _, file := range []string{"iac/k8s/deployment.yaml", "iac/k8s/privileged-pod.yaml"} {
				if got := messages(t, rep, "data.main.deny", file); len(got) != 3 {
					t.Errorf("%s: %d deny findings, want 3: %q", file, len(got), got)
				}
			}
		})
	}
	rep := mergeRecordings(t, "conftest/conftest-v0.71.1-root-json.json", "conftest/conftest-v0.71.1-root-sarif.sarif")
	if len(rep.Findings) != 8 || rep.Counts.Merged != 8 {
		t.Errorf("JSON and SARIF together: %d findings, %d merged; want 8 and 8 (each finding once, with its twin)", len(rep.Findings), rep.Counts.Merged)
	}
}

// kube-score gives each of a check's comments at the object's first line:
// the container-resources comments on one container (CPU limit, CPU
// request, memory limit, memory request) are four issues, in its JSON and
// in its SARIF (which has only the critical ones).
func TestRealKubeScoreCommentsStayApart(t *testing.T) {
	for _, name := range []string{"kube-score/kube-score-v1.20.0-root-json.json", "kube-score/kube-score-v1.20.0-root-sarif.sarif"} {
		t.Run(filepath.Ext(name), func(t *testing.T) {
			rep := mergeRecordings(t, name)
			for _, file := range []string{"iac/k8s/deployment.yaml", "iac/k8s/privileged-pod.yaml"} {
				got := messages(t, rep, "container-resources", file)
				if len(got) != 4 {
					t.Errorf("%s: %d container-resources findings, want 4: %q", file, len(got), got)
				}
				if got := messages(t, rep, "container-security-context-user-group-id", file); len(got) != 2 {
					t.Errorf("%s: %d user/group id findings, want 2: %q", file, len(got), got)
				}
			}
		})
	}
}

// wapiti reports the missing Content-Security-Policy and four missing
// headers on one page, all with CWE-693 (Protection Mechanism Failure, a
// Pillar of the CWE List): five issues.
func TestRealWapitiHeadersStayApart(t *testing.T) {
	rep := mergeRecordings(t, "wapiti/wapiti-3.0.4-url-json.json")
	var headers []string
	for _, f := range rep.Findings {
		if f.Rule.ID != "HTTP Secure Headers" && f.Rule.ID != "Content Security Policy Configuration" {
			continue
		}
		if !slices.Contains(f.CWEs, 693) {
			t.Errorf("%s %q: CWEs %v, want 693 (the case this test is about)", f.Rule.ID, f.Message, f.CWEs)
		}
		headers = append(headers, f.Message)
		for _, a := range f.Also {
			t.Errorf("%q merged %q (%s)", f.Message, a.Message, a.Match)
		}
	}
	slices.Sort(headers)
	want := []string{"CSP is not set", "Strict-Transport-Security is not set", "X-Content-Type-Options is not set",
		"X-Frame-Options is not set", "X-XSS-Protection is not set"}
	if !slices.Equal(headers, want) {
		t.Errorf("header findings %q, want %q", headers, want)
	}
	if rep.Counts.Merged != 0 {
		t.Errorf("%d reports merged, want none: every wapiti finding here is an issue of its own", rep.Counts.Merged)
	}
}

// On the sample tree, kube-score reports the privileged container at the
// Deployment's first line and the built-in rules at the exact line: one
// issue, merged on the resource address and checked to be one check.
func TestRealIaCMergesOnResource(t *testing.T) {
	rep := mergeRecordings(t, "kube-score/kube-score-v1.20.0-root-json.json", "scanmux-iac/scanmux-iac-0.1.0-root-sarif.sarif")
	var got []string
	for _, f := range rep.Findings {
		if f.Location.Path != "iac/k8s/deployment.yaml" || len(f.Also) == 0 {
			continue
		}
		for _, a := range f.Also {
			got = append(got, f.Rule.ID+" + "+a.RuleID)
			if !strings.Contains(a.Match, "resource=Deployment/default/web") {
				t.Errorf("%s + %s matched on %q, want the resource address", f.Rule.ID, a.RuleID, a.Match)
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"SMX-K8S-001 + container-security-context-privileged",
		"container-image-tag + SMX-K8S-007",
		"container-security-context-readonlyrootfilesystem + SMX-K8S-009",
		"pod-networkpolicy + SMX-K8S-010",
	}
	if !slices.Equal(got, want) {
		t.Errorf("merges %q, want %q", got, want)
	}
}

// --explain=near tells why findings that look alike were kept apart: on
// the wapiti recording, the shared Pillar CWE-693 and the one rule on one
// page with different messages.
func TestRealExplainNear(t *testing.T) {
	rep := mergeRecordings(t, "wapiti/wapiti-3.0.4-url-json.json", "kube-score/kube-score-v1.20.0-root-json.json")
	var b strings.Builder
	if err := rep.ExplainNear(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"near: wapiti Content Security Policy Configuration at http://127.0.0.1:8099/ and wapiti HTTP Secure Headers at http://127.0.0.1:8099/: shared CWE-693 is a Pillar of the CWE List 4.15",
		`and different messages: "CPU limit is not set (web)", "CPU request is not set (web)"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ExplainNear lacks %q:\n%s", want, out)
		}
	}
}
