package suppress

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// IgnoreEntry is one entry of the ignore section of .scanmux.yaml:
//
//	ignore:
//	  - rule: G104                 # rule id, or TOOL/RULE
//	    path: "internal/legacy/**" # path glob (** crosses directories)
//	    reason: legacy code, rewrite tracked in SEC-12
//	    expires: 2027-03-31        # optional; after this day the entry stops suppressing
//	  - vuln: CVE-2023-45288       # a vulnerability id or any of its aliases
//	    reason: not reachable, see govulncheck
//	  - fingerprint: "v1:3f9a..."  # any fingerprint of the finding (scanmux/v1, primaryLocationLineHash, ...)
//	    reason: accepted risk
//
// An entry matches a finding when every selector it sets matches; it must
// set at least one selector and a reason.
type IgnoreEntry struct {
	Rule        string `yaml:"rule"`
	Tool        string `yaml:"tool"`
	Path        string `yaml:"path"`
	Fingerprint string `yaml:"fingerprint"`
	Vuln        string `yaml:"vuln"`
	Reason      string `yaml:"reason"`
	Expires     string `yaml:"expires"` // YYYY-MM-DD, inclusive

	line    int       // line in the file, for messages
	expires time.Time // end of the expiry day, UTC

	// Compiled by compile, for matches.
	ruleTool, ruleID string   // Rule split at its first "/"
	glob             globHint // what a path must have to match Path
	source           string   // "FILE:LINE", the suppressions' source
}

// IgnoreFile is the filter built from an ignore section. It is safe for
// concurrent use.
type IgnoreFile struct {
	path    string
	entries []IgnoreEntry
	now     time.Time

	used   []atomic.Bool // entry suppressed something
	expHit []atomic.Bool // expired entry matched something

	mu       sync.Mutex
	warnings []string

	// The entries a finding may match, by index in entries: those with a
	// rule under its id, those with a fingerprint (and no rule) under it,
	// and the others, so that Apply checks a few entries, not all.
	byRule, byFingerprint map[string][]int
	others                []int
}

var (
	_ aggregate.Filter = (*IgnoreFile)(nil)
	_ aggregate.Warner = (*IgnoreFile)(nil)
)

// ErrIgnoreFile marks an invalid ignore section.
var ErrIgnoreFile = errors.New("invalid ignore entry")

// LoadIgnoreFile reads the ignore section of the YAML file at path (other
// sections are ignored). A missing file is an error wrapping fs.ErrNotExist
// so that callers can treat the default file as optional. now decides
// which entries have expired; the zero time means time.Now().
func LoadIgnoreFile(path string, now time.Time) (*IgnoreFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ignore file: %w", err)
	}
	return ParseIgnore(path, b, now)
}

// ParseIgnore parses the ignore section of a YAML document; name is used in
// errors and suppression sources.
func ParseIgnore(name string, data []byte, now time.Time) (*IgnoreFile, error) {
	if now.IsZero() {
		now = time.Now()
	}
	var doc struct {
		Ignore yaml.Node `yaml:"ignore"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &IgnoreFile{path: name, now: now}
	if doc.Ignore.Kind == 0 {
		return f, nil
	}
	if doc.Ignore.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: ignore: %w: want a list of entries", name, doc.Ignore.Line, ErrIgnoreFile)
	}
	var errs []error
	for i, n := range doc.Ignore.Content {
		var e IgnoreEntry
		if err := n.Decode(&e); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: ignore[%d]: %w: %v", name, n.Line, i, ErrIgnoreFile, err))
			continue
		}
		e.line = n.Line
		if err := e.check(); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: ignore[%d]: %w: %v", name, n.Line, i, ErrIgnoreFile, err))
			continue
		}
		e.compile(name)
		f.entries = append(f.entries, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	f.used = make([]atomic.Bool, len(f.entries))
	f.expHit = make([]atomic.Bool, len(f.entries))
	f.byRule, f.byFingerprint = map[string][]int{}, map[string][]int{}
	for i, e := range f.entries {
		switch {
		case e.Rule != "":
			f.byRule[e.ruleID] = append(f.byRule[e.ruleID], i)
		case e.Fingerprint != "":
			f.byFingerprint[e.Fingerprint] = append(f.byFingerprint[e.Fingerprint], i)
		default:
			f.others = append(f.others, i)
		}
	}
	return f, nil
}

// candidates returns, in file order, the indexes of the entries fd may
// match; buf is scratch space.
func (f *IgnoreFile) candidates(fd *finding.Finding, buf []int) []int {
	c := append(buf[:0], f.byRule[fd.Rule.ID]...)
	if len(f.byFingerprint) > 0 {
		c = append(c, f.byFingerprint[fd.ID]...)
		for _, v := range fd.Fingerprints {
			c = append(c, f.byFingerprint[v]...)
		}
	}
	if len(c) == 0 {
		return f.others
	}
	c = append(c, f.others...)
	slices.Sort(c)
	return slices.Compact(c)
}

func (e *IgnoreEntry) check() error {
	if e.Rule == "" && e.Tool == "" && e.Path == "" && e.Fingerprint == "" && e.Vuln == "" {
		return errors.New("no selector: set rule, tool, path, fingerprint or vuln")
	}
	if strings.TrimSpace(e.Reason) == "" {
		return errors.New("reason: empty; say why the finding is not a problem")
	}
	if e.Path != "" && !doublestar.ValidatePattern(e.Path) {
		return fmt.Errorf("path: invalid glob %q", e.Path)
	}
	if e.Expires != "" {
		t, err := time.Parse(time.DateOnly, e.Expires)
		if err != nil {
			return fmt.Errorf("expires: %q is not a date (YYYY-MM-DD)", e.Expires)
		}
		e.expires = t.Add(24 * time.Hour) // the whole day counts
	}
	return nil
}

// compile prepares a checked entry of the file named file for matches.
func (e *IgnoreEntry) compile(file string) {
	if e.Rule != "" {
		var ok bool
		e.ruleTool, e.ruleID, ok = strings.Cut(e.Rule, "/")
		if !ok {
			e.ruleTool, e.ruleID = "", e.Rule
		}
	}
	if e.Path != "" {
		e.glob = newGlobHint(e.Path)
	}
	e.source = fmt.Sprintf("%s:%d", file, e.line)
}

// Name returns the file's name.
func (f *IgnoreFile) Name() string { return f.path }

// Len returns the number of entries.
func (f *IgnoreFile) Len() int { return len(f.entries) }

// Apply suppresses fd if an entry matches it. An expired entry that
// matches suppresses nothing and is reported by Warnings.
func (f *IgnoreFile) Apply(_ context.Context, fd *finding.Finding) (aggregate.Verdict, error) {
	var buf [16]int
	for _, i := range f.candidates(fd, buf[:0]) {
		e := &f.entries[i]
		if !e.matches(fd) {
			continue
		}
		if e.expired(f.now) {
			f.expHit[i].Store(true)
			f.warn(fmt.Sprintf("%s:%d: ignore entry expired on %s and no longer suppresses %s %s at %s",
				f.path, e.line, e.Expires, fd.Tool.Name, fd.Rule.ID, where(fd)))
			continue
		}
		if !f.used[i].Load() {
			f.used[i].Store(true)
		}
		return aggregate.Verdict{Suppress: &finding.Suppression{
			Kind:          finding.SuppressionExternal,
			Status:        finding.SuppressionAccepted,
			Justification: e.Reason,
			Source:        e.source,
		}}, nil
	}
	return aggregate.Verdict{}, nil
}

// matches reports whether every selector of e matches f. The selectors
// are checked cheapest first; none has side effects.
func (e *IgnoreEntry) matches(f *finding.Finding) bool {
	if e.Rule != "" {
		if e.ruleID != f.Rule.ID || (e.ruleTool != "" && !strings.EqualFold(e.ruleTool, f.Tool.Name)) {
			return false
		}
	}
	if e.Tool != "" && !strings.EqualFold(e.Tool, f.Tool.Name) {
		return false
	}
	if e.Vuln != "" && !slices.ContainsFunc(f.VulnIDs, func(id string) bool { return strings.EqualFold(id, e.Vuln) }) {
		return false
	}
	if e.Path != "" {
		if !e.glob.mayMatch(f.Location.Path) {
			return false
		}
		if ok, _ := doublestar.Match(e.Path, f.Location.Path); !ok {
			return false
		}
	}
	if e.Fingerprint != "" {
		found := f.ID == e.Fingerprint
		for _, v := range f.Fingerprints {
			if v == e.Fingerprint {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (f *IgnoreFile) warn(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.warnings, msg) {
		f.warnings = append(f.warnings, msg)
	}
}

// Warnings returns the warnings of the run so far: expired entries that
// matched, and entries that matched nothing (stale ignores worth removing).
func (f *IgnoreFile) Warnings() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := slices.Clone(f.warnings)
	for i := range f.used {
		e, used := &f.entries[i], f.used[i].Load()
		switch {
		case e.expired(f.now) && !f.expHit[i].Load():
			w = append(w, fmt.Sprintf("%s:%d: ignore entry expired on %s; remove it", f.path, e.line, e.Expires))
		case !used && !e.expired(f.now):
			w = append(w, fmt.Sprintf("%s:%d: ignore entry matched no finding; remove it if the issue is gone", f.path, e.line))
		}
	}
	return w
}

func (e *IgnoreEntry) expired(now time.Time) bool {
	return !e.expires.IsZero() && !now.Before(e.expires)
}

func where(f *finding.Finding) string {
	if f.Location.Path == "" {
		return "(no file)"
	}
	if l := f.Location.Region.StartLine; l > 0 {
		return fmt.Sprintf("%s:%d", f.Location.Path, l)
	}
	return f.Location.Path
}

// globHint holds literal parts of a path glob that every path it matches
// has, so that most paths are ruled out without running the glob.
type globHint struct {
	prefix, suffix string   // the path starts and ends with these
	inner          []string // the path contains these
}

// globMeta are the bytes that end a literal part of a glob. Some of them
// are literal in some places (",", "]" and "}" outside brackets and
// braces), which only makes the parts shorter and the hint weaker.
const globMeta = "*?[]{},\\"

// newGlobHint returns the hint of a valid doublestar pattern. The literal
// parts lose the "/" next to a wildcard, since "**" takes the separator
// with it when it matches nothing: "a/**" matches "a", "**/b" matches "b".
func newGlobHint(pattern string) globHint {
	first := strings.IndexAny(pattern, globMeta)
	if first < 0 {
		return globHint{prefix: strings.TrimRight(pattern, "/"), suffix: strings.TrimLeft(pattern, "/")}
	}
	last := strings.LastIndexAny(pattern, globMeta)
	h := globHint{
		prefix: strings.TrimRight(pattern[:first], "/"),
		suffix: strings.TrimLeft(pattern[last+1:], "/"),
	}
	// With only "*" and "?" as wildcards, every part between them is
	// literal and outside brackets and braces.
	mid := pattern[first : last+1]
	if !strings.ContainsAny(mid, "[]{},\\") {
		for part := range strings.FieldsFuncSeq(mid, func(r rune) bool { return r == '*' || r == '?' }) {
			if part = strings.Trim(part, "/"); part != "" {
				h.inner = append(h.inner, part)
			}
		}
	}
	return h
}

// mayMatch reports false if p cannot match the hint's glob.
func (h *globHint) mayMatch(p string) bool {
	if !strings.HasPrefix(p, h.prefix) || !strings.HasSuffix(p, h.suffix) {
		return false
	}
	for _, s := range h.inner {
		if !strings.Contains(p, s) {
			return false
		}
	}
	return true
}
