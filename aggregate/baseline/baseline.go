// Package baseline compares a scan's findings with those of a previous
// scanmux SARIF log, so that a pipeline can fail on new findings only.
//
// [Load] reads the previous log; [Baseline.Compare] (an
// [aggregate.Baseline]) marks each finding of the current run new,
// unchanged or updated, and returns the previous findings that are gone,
// marked absent:
//
//	base, err := baseline.Load("previous.sarif", ".")
//	if err != nil { ... }
//	absent := base.Compare(findings)
//
// Findings are matched by their scanmux identity (see [aggregate.Identify]),
// which survives unrelated edits of the code. A log written by an older
// scanmux holds scanmux/v1 identities: the current findings' v1 identities
// are computed for it ([aggregate.IdentitiesV1], from the files under the
// scan root) and matched too, so such a baseline keeps working. A finding
// of the previous log that has no scanmux identity (a log written by
// another tool, or by a scanmux that did not set one) is matched by tool,
// rule, path and GitHub's primaryLocationLineHash instead, computed from
// the file under the scan root when the current finding lacks it; so is a
// finding of a v1 log that its identity did not match (v1 lost more
// identities to edits than v2). A finding with no fingerprint at all is
// matched by tool, rule, path, start line and message, the only key left.
//
// What scanmux itself added to a finding of its log does not count as a
// change: the sentence naming the other tools of a merged finding, the
// place appended to a finding attached to a substitute file, and the
// severity as the log's reader takes it back from the tool's own scale
// (scanmux's severity is kept in the result's "severity" property).
//
// A baseline should be written with every finding: with sarif.ProfileFull,
// or with ProfileGitHub plus its SuppressedOut log loaded as a second
// baseline, since ProfileGitHub leaves suppressed findings out.
package baseline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/sourcefile"
)

// Baseline is the findings of a previous scan. It implements
// [aggregate.Baseline]. A Baseline is not modified by Compare and may be
// used by one goroutine at a time.
type Baseline struct {
	path     string
	root     string
	findings []*finding.Finding // in log order
}

var _ aggregate.Baseline = (*Baseline)(nil)

// Load reads the SARIF log at path, a previous scan of the code now under
// root. Locations relative to a base (%SRCROOT% in scanmux's logs) stay
// relative to it, wherever the previous scan ran; an absolute location
// under root is made relative to root. root is also where Compare reads
// the current source files when a finding must be matched by its line
// hash; it may be "" (then no file is read). Errors name the file; a
// malformed log gives an error wrapping a *sarif.DecodeError.
func Load(path, root string) (*Baseline, error) {
	// Root "" keeps the paths relative to the log's own scan root, which
	// is not this one when the previous scan ran in another checkout.
	runs, err := sarif.ReadFile(path, nil)
	if err != nil {
		if strings.Contains(err.Error(), path) {
			return nil, fmt.Errorf("baseline: %w", err)
		}
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	b := &Baseline{path: path, root: root}
	outside := false
	for i := range runs {
		for j := range runs[i].Findings {
			f := runs[i].Findings[j]
			b.findings = append(b.findings, f)
			outside = outside || f.Location.Path == "" && f.Properties[sarifURI] != ""
		}
	}
	if outside && root != "" {
		// Absolute locations (a tool without %SRCROOT%): read again with
		// root to make those under it relative, with their regions.
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("baseline %s: scan root: %w", path, err)
		}
		again, err := sarif.ReadFile(path, &sarif.ReadOptions{Root: abs})
		if err != nil {
			return nil, fmt.Errorf("baseline: %w", err)
		}
		k := 0
		for i := range again {
			for j := range again[i].Findings {
				if k >= len(b.findings) {
					break
				}
				if f := b.findings[k]; f.Location.Path == "" && f.Properties[sarifURI] != "" {
					b.findings[k] = again[i].Findings[j]
				}
				k++
			}
		}
	}
	return b, nil
}

// sarifURI is the property in which the SARIF reader keeps a location's
// URI that it could not make relative.
const sarifURI = "sarif.uri"

// Path returns the file the baseline was loaded from.
func (b *Baseline) Path() string { return b.path }

// Findings returns the baseline's findings, in the log's order. The caller
// must not modify them.
func (b *Baseline) Findings() []*finding.Finding { return b.findings }

// Compare sets the Baseline state of every finding of the current run:
//   - [finding.BaselineUnchanged] when the baseline has a finding with the
//     same identity and the same severity and message;
//   - [finding.BaselineUpdated] when it has one with the same identity
//     whose severity or message differs;
//   - [finding.BaselineNew] otherwise.
//
// Identities are matched first, then the weaker keys for the findings
// left. Each baseline finding matches one current finding at most, the
// first in the order given. Compare returns copies of the baseline
// findings that matched none, in log order, marked
// [finding.BaselineAbsent]. Nil findings are skipped.
func (b *Baseline) Compare(findings []*finding.Finding) (absent []*finding.Finding) {
	byID := map[string][]int{}   // scanmux identity (v2 or v1) -> baseline findings
	byHash := map[string][]int{} // tool, rule, path, line hash -> baseline findings
	byLine := map[string][]int{} // tool, rule, path, line, message -> baseline findings without fingerprints
	hasV1 := false
	for i, f := range b.findings {
		id := identity(f)
		if id != "" {
			byID[id] = append(byID[id], i)
			hasV1 = hasV1 || strings.HasPrefix(id, aggregate.IdentityVersionV1)
		}
		if h := f.Fingerprints[finding.FingerprintLineHash]; h != "" {
			k := hashKey(f, h)
			byHash[k] = append(byHash[k], i)
		} else if id == "" {
			k := lineKey(f)
			byLine[k] = append(byLine[k], i)
		}
	}
	// The v1 identities of the current findings, for a log of an older
	// scanmux; none when the root cannot be opened.
	var v1 []string
	if hasV1 {
		v1, _ = aggregate.IdentitiesV1(findings, b.root)
	}

	taken := make([]bool, len(b.findings))
	take := func(cands []int, ok func(int) bool) int {
		for _, i := range cands {
			if !taken[i] && ok(i) {
				taken[i] = true
				return i
			}
		}
		return -1
	}
	always := func(int) bool { return true }
	match := make([]int, len(findings))
	for j, f := range findings {
		match[j] = -1
		if f == nil {
			continue
		}
		if f.ID != "" {
			match[j] = take(byID[f.ID], always)
		}
		if match[j] < 0 && v1 != nil && v1[j] != "" {
			match[j] = take(byID[v1[j]], always)
		}
	}
	src := newLineHashes(b.root)
	defer src.close()
	for j, f := range findings {
		if f == nil || match[j] >= 0 {
			continue
		}
		// The weaker key, only where one side has no identity, or the log's
		// is a v1 one.
		if h := src.lineHash(f); h != "" {
			match[j] = take(byHash[hashKey(f, h)], func(i int) bool {
				id := identity(b.findings[i])
				return f.ID == "" || id == "" || strings.HasPrefix(id, aggregate.IdentityVersionV1)
			})
		}
		if match[j] < 0 {
			match[j] = take(byLine[lineKey(f)], always)
		}
	}

	for j, f := range findings {
		switch m := match[j]; {
		case f == nil:
		case m < 0:
			f.Baseline = finding.BaselineNew
		case changed(b.findings[m], f):
			f.Baseline = finding.BaselineUpdated
		default:
			f.Baseline = finding.BaselineUnchanged
		}
	}
	for i, f := range b.findings {
		if !taken[i] {
			g := f.Clone()
			g.Baseline = finding.BaselineAbsent
			absent = append(absent, g)
		}
	}
	return absent
}

// identity returns the scanmux identity a finding of a log has: its ID
// (the reader's, from scanmux/v1, where scanmux wrote both versions until
// the writer knew scanmux/v2), else its scanmux/v2 fingerprint.
func identity(f *finding.Finding) string {
	if id := f.Fingerprints[finding.FingerprintScanmuxV2]; id != "" {
		return id
	}
	return f.ID
}

// hashKey is the fallback key of a finding with line hash h.
func hashKey(f *finding.Finding, h string) string {
	return fmt.Sprintf("%d:%s%d:%s%d:%s%s", len(f.Tool.Name), f.Tool.Name, len(f.Rule.ID), f.Rule.ID, len(f.Location.Path), f.Location.Path, h)
}

// lineKey is the last resort key, for baseline findings without any
// fingerprint: the same place and the same message.
func lineKey(f *finding.Finding) string {
	return hashKey(f, fmt.Sprintf("%d\x00%s", f.Location.Region.StartLine, f.Message))
}

// changed reports whether the current finding cur differs from the
// baseline's old in severity or message, leaving out what scanmux added
// to old in its log (see the package documentation).
func changed(old, cur *finding.Finding) bool {
	return logSeverity(old) != cur.Severity || toolMessage(old.Message, cur.Message) != cur.Message
}

// logSeverity returns the severity of a finding of the log: scanmux's
// own, from the result's "severity" property, when the log is scanmux's
// (the finding has its identity). The reader derives Severity from the
// tool's original scale instead, which for tools that rate on a small
// number scale (flawfinder's 0 to 5, wapiti's 1 to 4) does not give
// scanmux's severity back.
func logSeverity(old *finding.Finding) finding.Severity {
	if identity(old) != "" {
		if sev, err := finding.ParseSeverity(old.Properties["severity"]); err == nil && sev != finding.SeverityUnset {
			return sev
		}
	}
	return old.Severity
}

// alsoReportedHead starts the sentence the SARIF writer appends to the
// message of a merged finding, naming the other tools that reported it
// (TestChangedScanmuxText checks that it still does).
const alsoReportedHead = "\n\nAlso reported by: "

// toolMessage returns the message of a finding of the log without what
// scanmux appended to it, when the current message cur is that message:
// the "Also reported by" sentence (which the reader removes already when
// the log's result lists the merged reports) and " (at <where>)" for a
// finding attached to a substitute file.
func toolMessage(old, cur string) string {
	if i := strings.LastIndex(old, alsoReportedHead); i >= 0 && strings.HasSuffix(old, ".") && !strings.Contains(cur, alsoReportedHead) {
		old = old[:i]
	}
	if rest, ok := strings.CutPrefix(old, cur+" (at "); ok && strings.HasSuffix(rest, ")") {
		return cur
	}
	return old
}

// lineHashes computes GitHub's line hashes of current findings from the
// files under a root, reading each file once.
type lineHashes struct {
	root  *sourcefile.Root
	files map[string][]string
}

func newLineHashes(dir string) *lineHashes {
	l := &lineHashes{files: map[string][]string{}}
	if dir != "" {
		l.root, _ = sourcefile.Open(dir, 0) // no root: no hashes computed
	}
	return l
}

func (l *lineHashes) close() {
	if l.root != nil {
		l.root.Close()
	}
}

// lineHash returns f's primaryLocationLineHash: its own, else the hash of
// its start line in its file under the root, else "".
func (l *lineHashes) lineHash(f *finding.Finding) string {
	if h := f.Fingerprints[finding.FingerprintLineHash]; h != "" {
		return h
	}
	p, line := f.Location.Path, f.Location.Region.StartLine
	if p == "" || line <= 0 || l.root == nil {
		return ""
	}
	hs, ok := l.files[p]
	if !ok {
		if data, err := l.root.ReadFile(context.Background(), p); err == nil {
			hs = finding.LineHashes(data)
		}
		l.files[p] = hs
	}
	if line > len(hs) {
		return ""
	}
	return hs[line-1]
}
