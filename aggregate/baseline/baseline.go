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
// Findings are matched by their scanmux/v1 identity (see
// [aggregate.Identify]), which survives unrelated edits of the code. A
// finding of the previous log that has no scanmux/v1 identity (a log
// written by another tool, or by a scanmux that did not set one) is
// matched by tool, rule, path and GitHub's primaryLocationLineHash
// instead, computed from the file under the scan root when the current
// finding lacks it. A finding with no fingerprint at all is matched by
// tool, rule, path, start line and message, the only key left.
//
// A baseline should be written with every finding: with sarif.ProfileFull,
// or with ProfileGitHub plus its SuppressedOut log loaded as a second
// baseline, since ProfileGitHub leaves suppressed findings out.
package baseline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
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
// Each baseline finding matches one current finding at most, the first in
// the order given. Compare returns copies of the baseline findings that
// matched none, in log order, marked [finding.BaselineAbsent]. Nil findings
// are skipped.
func (b *Baseline) Compare(findings []*finding.Finding) (absent []*finding.Finding) {
	byID := map[string][]int{}   // scanmux/v1 -> baseline findings
	byHash := map[string][]int{} // tool, rule, path, line hash -> baseline findings
	byLine := map[string][]int{} // tool, rule, path, line, message -> baseline findings without fingerprints
	for i, f := range b.findings {
		if id := f.ID; id != "" {
			byID[id] = append(byID[id], i)
		}
		if h := f.Fingerprints[finding.FingerprintLineHash]; h != "" {
			k := hashKey(f, h)
			byHash[k] = append(byHash[k], i)
		} else if f.ID == "" {
			k := lineKey(f)
			byLine[k] = append(byLine[k], i)
		}
	}
	matched := make([]bool, len(b.findings))
	take := func(cands []int, ok func(int) bool) int {
		for _, i := range cands {
			if !matched[i] && ok(i) {
				matched[i] = true
				return i
			}
		}
		return -1
	}
	src := newLineHashes(b.root)
	defer src.close()

	for _, f := range findings {
		if f == nil {
			continue
		}
		id := f.ID
		m := -1
		if id != "" {
			m = take(byID[id], func(int) bool { return true })
		}
		if m < 0 {
			// The weaker key, only where one side has no identity.
			if h := src.lineHash(f); h != "" {
				m = take(byHash[hashKey(f, h)], func(i int) bool {
					return id == "" || b.findings[i].ID == ""
				})
			}
		}
		if m < 0 {
			m = take(byLine[lineKey(f)], func(int) bool { return true })
		}
		switch {
		case m < 0:
			f.Baseline = finding.BaselineNew
		case changed(b.findings[m], f):
			f.Baseline = finding.BaselineUpdated
		default:
			f.Baseline = finding.BaselineUnchanged
		}
	}
	for i, f := range b.findings {
		if !matched[i] {
			g := f.Clone()
			g.Baseline = finding.BaselineAbsent
			absent = append(absent, g)
		}
	}
	return absent
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
// baseline's old in severity or message. The SARIF writer appends
// " (at <where>)" to the message of a finding it attaches to a substitute
// file; that suffix does not count.
func changed(old, cur *finding.Finding) bool {
	if old.Severity != cur.Severity {
		return true
	}
	if old.Message == cur.Message {
		return false
	}
	rest, ok := strings.CutPrefix(old.Message, cur.Message+" (at ")
	return !ok || !strings.HasSuffix(rest, ")")
}

// lineHashes computes GitHub's line hashes of current findings from the
// files under a root, reading each file once.
type lineHashes struct {
	root  *os.Root
	files map[string][]string
}

func newLineHashes(dir string) *lineHashes {
	l := &lineHashes{files: map[string][]string{}}
	if dir != "" {
		l.root, _ = os.OpenRoot(dir) // no root: no hashes computed
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
		if data, err := l.root.ReadFile(p); err == nil {
			hs = finding.LineHashes(data)
		}
		l.files[p] = hs
	}
	if line > len(hs) {
		return ""
	}
	return hs[line-1]
}
