// Package registry lists every report adapter scanmux has and reads any
// supported report, detecting its format: SARIF through the generic reader,
// everything else through the adapter that recognizes it.
package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/sarifretain"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/bandit"
	"github.com/scanmux/scanmux/scanners/checkov"
	"github.com/scanmux/scanmux/scanners/checkstyle"
	"github.com/scanmux/scanmux/scanners/conftest"
	"github.com/scanmux/scanmux/scanners/cppcheck"
	"github.com/scanmux/scanmux/scanners/eslint"
	"github.com/scanmux/scanmux/scanners/flawfinder"
	"github.com/scanmux/scanmux/scanners/gitlabsast"
	"github.com/scanmux/scanmux/scanners/gitleaks"
	"github.com/scanmux/scanmux/scanners/gosec"
	"github.com/scanmux/scanmux/scanners/govulncheck"
	"github.com/scanmux/scanmux/scanners/grype"
	"github.com/scanmux/scanmux/scanners/kics"
	"github.com/scanmux/scanmux/scanners/kubescore"
	"github.com/scanmux/scanmux/scanners/nikto"
	"github.com/scanmux/scanmux/scanners/nuclei"
	"github.com/scanmux/scanmux/scanners/osvscanner"
	"github.com/scanmux/scanmux/scanners/sbom"
	"github.com/scanmux/scanmux/scanners/semgrep"
	"github.com/scanmux/scanmux/scanners/shellcheck"
	"github.com/scanmux/scanmux/scanners/staticcheck"
	"github.com/scanmux/scanmux/scanners/tfsec"
	"github.com/scanmux/scanmux/scanners/trivy"
	"github.com/scanmux/scanmux/scanners/wapiti"
	"github.com/scanmux/scanmux/scanners/zap"
)

// SARIF is the format name of SARIF 2.1.0 logs, read by the generic reader.
const SARIF = "sarif"

// Adapters returns every native-report adapter, sorted by name.
func Adapters() []scanners.Adapter {
	var all []scanners.Adapter
	for _, f := range []func() []scanners.Adapter{
		bandit.Adapters, checkov.Adapters, checkstyle.Adapters, conftest.Adapters, cppcheck.Adapters, eslint.Adapters, flawfinder.Adapters,
		gitlabsast.Adapters, gitleaks.Adapters, gosec.Adapters, govulncheck.Adapters, grype.Adapters,
		kics.Adapters, kubescore.Adapters, nikto.Adapters, nuclei.Adapters, osvscanner.Adapters, sbom.Adapters,
		semgrep.Adapters, shellcheck.Adapters, staticcheck.Adapters, tfsec.Adapters, trivy.Adapters, wapiti.Adapters,
		zap.Adapters,
	} {
		all = append(all, f()...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name() < all[j].Name() })
	return all
}

// refiners are the adapters that refine their tool's SARIF findings, by
// the tool's canonical id (their name).
var refiners = func() map[string]scanners.SARIFRefiner {
	m := map[string]scanners.SARIFRefiner{}
	for _, a := range Adapters() {
		if r, ok := a.(scanners.SARIFRefiner); ok {
			m[a.Name()] = r
		}
	}
	return m
}()

// Formats returns the names --format accepts: "sarif" and every adapter's.
func Formats() []string {
	names := []string{SARIF}
	for _, a := range Adapters() {
		names = append(names, a.Name())
	}
	sort.Strings(names)
	return names
}

// FormatsHint returns the adapters' names as one comma-separated line, for
// usage messages.
func FormatsHint() string {
	var names []string
	for _, a := range Adapters() {
		names = append(names, a.Name())
	}
	return strings.Join(names, ", ")
}

// Lookup returns the adapter named name; ok is false for "sarif" and for
// unknown names.
func Lookup(name string) (scanners.Adapter, bool) {
	for _, a := range Adapters() {
		if a.Name() == name {
			return a, true
		}
	}
	return nil, false
}

// ErrUnknownFormat means no adapter recognizes a report.
var ErrUnknownFormat = errors.New("unknown report format")

// Detect returns the format of a report from its first bytes: "sarif" or
// an adapter's name. name is the file name, for errors.
func Detect(name string, head []byte) (string, error) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if looksLikeSARIF(head) {
		return SARIF, nil
	}
	var hits []string
	for _, a := range Adapters() {
		if a.Detect(head) {
			hits = append(hits, a.Name())
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", fmt.Errorf("%s: %w: expected SARIF 2.1.0 or a report of one of: %s (use --format to force one)",
			name, ErrUnknownFormat, strings.Join(Formats(), ", "))
	}
	return "", fmt.Errorf("%s: ambiguous report format: it looks like %s; use --format to choose", name, strings.Join(hits, " and "))
}

// looksLikeSARIF reports whether head is a SARIF log: a JSON object with a
// "runs" member and a SARIF version or schema.
func looksLikeSARIF(head []byte) bool {
	t := bytes.TrimSpace(head)
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	return bytes.Contains(t, []byte(`"runs"`)) &&
		(bytes.Contains(t, []byte(`"version"`)) || bytes.Contains(t, []byte(`sarif`)))
}

// Import reads the report at path in format (detected when "", see
// [Detect]; a JSON object the head cannot decide is read to its end), gzip-
// compressed or not, passing
// each finding to emit, which is expected to keep (almost) all of them:
// SARIF findings are allocated in blocks (see package internal/sarifretain).
// It returns the tools the report names, so that a tool that found
// nothing still gets a run. Errors name the file.
func Import(path, format string, root string, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	if format == "" {
		var err error
		if format, err = detectFile(path); err != nil {
			return nil, err
		}
	}
	br, err := openReport(path)
	if err != nil {
		return nil, err
	}
	defer br.Close()
	if format == SARIF {
		var in io.Reader = br
		if head, err := br.head(path); err == nil && sarif.IsV1(head) {
			// SARIF 1.0 (Roslyn's /errorlog, older tools), converted to
			// 2.1.0 in memory as the SARIF Multitool's transform does.
			v2, err := sarif.UpgradeV1(br, path)
			if err != nil {
				return nil, err
			}
			in = bytes.NewReader(v2)
		}
		var tools []finding.Tool
		seen := map[finding.Tool]bool{}
		opts := &sarif.ReadOptions{Root: root}
		sarifretain.Retain(opts)
		err := sarif.Decode(in, path, opts, func(run *sarif.Run, f *finding.Finding) error {
			if f == nil {
				if !seen[run.Tool] {
					seen[run.Tool] = true
					tools = append(tools, run.Tool)
				}
				return nil
			}
			// A result with scanmux's identity comes from a log scanmux
			// wrote: it was refined when it was first read.
			if r := refiners[f.Tool.Name]; r != nil && f.ID == "" {
				r.RefineSARIF(f)
			}
			return emit(f)
		})
		return tools, err
	}
	a, ok := Lookup(format)
	if !ok {
		return nil, fmt.Errorf("%s: unknown format %q; known formats: %s", path, format, strings.Join(Formats(), ", "))
	}
	tool, err := a.Decode(br, path, &scanners.Options{Root: root}, emit)
	if err != nil {
		return nil, err
	}
	return []finding.Tool{tool}, nil
}

// Source is an aggregate.Source that imports one report.
type Source struct {
	// Path is the report file.
	Path string
	// Format is its format; "" detects it.
	Format string
	// Root is the scan root paths are made relative to.
	Root string
	// PathPrefix, when set, is the directory under Root that the tool ran
	// in (a slash path relative to Root): the report's relative paths are
	// relative to it, and its absolute paths are made relative to it, then
	// prefixed with it.
	PathPrefix string
}

// Name returns "import:" and the file's base name.
func (s *Source) Name() string { return "import:" + filepath.Base(s.Path) }

// Run imports the report.
func (s *Source) Run(_ context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	prefix := path.Clean(filepath.ToSlash(s.PathPrefix))
	if s.PathPrefix == "" || prefix == "." {
		return Import(s.Path, s.Format, s.Root, emit)
	}
	rebase := func(l *finding.Location) {
		if l.Path != "" {
			l.Path = path.Join(prefix, l.Path)
		}
	}
	return Import(s.Path, s.Format, filepath.Join(s.Root, filepath.FromSlash(prefix)), func(f *finding.Finding) error {
		rebase(&f.Location)
		for i := range f.Related {
			rebase(&f.Related[i])
		}
		for i := range f.Flows {
			for j := range f.Flows[i].Steps {
				rebase(&f.Flows[i].Steps[j])
			}
		}
		return emit(f)
	})
}
