package suppress

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
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
}

// IgnoreFile is the filter built from an ignore section. It is safe for
// concurrent use.
type IgnoreFile struct {
	path    string
	entries []IgnoreEntry
	now     time.Time

	mu       sync.Mutex
	used     []bool // entry suppressed something
	expHit   []bool // expired entry matched something
	warnings []string
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
		f.entries = append(f.entries, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	f.used = make([]bool, len(f.entries))
	f.expHit = make([]bool, len(f.entries))
	return f, nil
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

// Name returns the file's name.
func (f *IgnoreFile) Name() string { return f.path }

// Len returns the number of entries.
func (f *IgnoreFile) Len() int { return len(f.entries) }

// Apply suppresses fd if an entry matches it. An expired entry that
// matches suppresses nothing and is reported by Warnings.
func (f *IgnoreFile) Apply(_ context.Context, fd *finding.Finding) (aggregate.Verdict, error) {
	for i := range f.entries {
		e := &f.entries[i]
		if !e.matches(fd) {
			continue
		}
		if e.expired(f.now) {
			f.mu.Lock()
			f.expHit[i] = true
			f.mu.Unlock()
			f.warn(fmt.Sprintf("%s:%d: ignore entry expired on %s and no longer suppresses %s %s at %s",
				f.path, e.line, e.Expires, fd.Tool.Name, fd.Rule.ID, where(fd)))
			continue
		}
		f.mu.Lock()
		f.used[i] = true
		f.mu.Unlock()
		return aggregate.Verdict{Suppress: &finding.Suppression{
			Kind:          finding.SuppressionExternal,
			Status:        finding.SuppressionAccepted,
			Justification: e.Reason,
			Source:        fmt.Sprintf("%s:%d", f.path, e.line),
		}}, nil
	}
	return aggregate.Verdict{}, nil
}

func (e *IgnoreEntry) matches(f *finding.Finding) bool {
	if e.Rule != "" {
		tool, rule, ok := strings.Cut(e.Rule, "/")
		if !ok {
			tool, rule = "", e.Rule
		}
		if rule != f.Rule.ID || (tool != "" && !strings.EqualFold(tool, f.Tool.Name)) {
			return false
		}
	}
	if e.Tool != "" && !strings.EqualFold(e.Tool, f.Tool.Name) {
		return false
	}
	if e.Path != "" {
		if ok, _ := doublestar.Match(e.Path, f.Location.Path); !ok {
			return false
		}
	}
	if e.Vuln != "" && !slices.ContainsFunc(f.VulnIDs, func(id string) bool { return strings.EqualFold(id, e.Vuln) }) {
		return false
	}
	if e.Fingerprint != "" {
		found := false
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
	for i, used := range f.used {
		e := &f.entries[i]
		switch {
		case e.expired(f.now) && !f.expHit[i]:
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
