// Package suppress holds the filters that mark false positives without
// losing them: inline suppression comments in the scanned code ([Inline])
// and the ignore section of .scanmux.yaml ([IgnoreFile]). Both implement
// aggregate.Filter.
package suppress

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sourcefile"
)

// Inline honours suppression comments written in the scanned code, each
// only for the tool and rules it names:
//
//	scanmux:ignore RULE[,RULE...] [-- reason]  any tool's RULE (or TOOL/RULE); same line or the line above
//	#nosec [G101 G102] [-- reason]             gosec (and bandit's "# nosec B602"): the rules named, or all of that tool's rules; same line or above
//	//nolint:gosec[,other]                     gosec (and the other linters named); bare //nolint: gosec and staticcheck
//	gitleaks:allow                             gitleaks; same line
//	checkov:skip=CKV_X_1[:reason]              checkov rule CKV_X_1; anywhere in the finding's lines or the line above
//	trivy:ignore:AVD-X-0001                    trivy rule AVD-X-0001 (or its ID); the lines above the finding, up to a blank line
//	NOSONAR                                    SonarQube/SonarCloud findings; same line
//
// A marker for another tool or rule suppresses nothing: a "#nosec G101"
// does not hide a semgrep finding on the same line.
//
// Source files are read through package sourcefile: inside the root (a
// symbolic link to a file elsewhere suppresses nothing), regular files only
// (a FIFO or /dev/zero is not read), size-capped.
type Inline struct {
	root string

	mu    sync.Mutex
	src   *sourcefile.Root // opened on first use; nil when root cannot be
	open  bool
	files map[string][][]byte // path -> lines; nil entry = unreadable
}

// NewInline returns the inline-comment filter for sources under root.
func NewInline(root string) *Inline {
	return &Inline{root: root, files: make(map[string][][]byte)}
}

var _ aggregate.Filter = (*Inline)(nil)

// Name returns "inline".
func (*Inline) Name() string { return "inline" }

// Apply looks for suppression comments around f's location.
func (in *Inline) Apply(ctx context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	start := f.Location.Region.StartLine
	if f.Location.Path == "" || start < 1 {
		return aggregate.Verdict{}, nil
	}
	lines := in.lines(ctx, f.Location.Path)
	if start > len(lines) {
		return aggregate.Verdict{}, nil
	}
	end := max(f.Location.Region.EndLine, start)
	end = min(end, len(lines))
	line := func(n int) []byte { // 1-based; nil outside the file
		if n < 1 || n > len(lines) {
			return nil
		}
		return lines[n-1]
	}
	tool := strings.ToLower(f.Tool.Name)
	// Same line, then the line above if it holds only a comment (a marker
	// at the end of the previous statement is that statement's).
	for _, n := range []int{start, start - 1} {
		l := line(n)
		if n != start && !commentOnly(l) {
			continue
		}
		if s := scanmuxIgnore(l, f); s != nil {
			return verdict(s), nil
		}
		if tool == "gosec" || tool == "bandit" {
			if s := nosec(l, f.Rule.ID); s != nil {
				return verdict(s), nil
			}
		}
		if n == start {
			if s := nolint(l, tool); s != nil {
				return verdict(s), nil
			}
			if tool == "gitleaks" && bytes.Contains(l, []byte("gitleaks:allow")) {
				return verdict(&finding.Suppression{Justification: "gitleaks:allow", Source: "inline:gitleaks:allow"}), nil
			}
			if strings.HasPrefix(tool, "sonar") && bytes.Contains(l, []byte("NOSONAR")) {
				return verdict(&finding.Suppression{Justification: "NOSONAR", Source: "inline:NOSONAR"}), nil
			}
		}
	}
	if tool == "checkov" {
		for n := start - 1; n <= end; n++ {
			if s := checkovSkip(line(n), f.Rule.ID); s != nil {
				return verdict(s), nil
			}
		}
	}
	if tool == "trivy" {
		for n := start - 1; n >= 1 && len(bytes.TrimSpace(line(n))) > 0; n-- {
			if s := trivyIgnore(line(n), f); s != nil {
				return verdict(s), nil
			}
		}
	}
	return aggregate.Verdict{}, nil
}

// commentOnly reports whether l holds nothing but a comment.
func commentOnly(l []byte) bool {
	t := bytes.TrimSpace(l)
	return bytes.HasPrefix(t, []byte("//")) || bytes.HasPrefix(t, []byte("#")) ||
		bytes.HasPrefix(t, []byte("/*")) || bytes.HasPrefix(t, []byte("--")) || bytes.HasPrefix(t, []byte("<!--"))
}

func verdict(s *finding.Suppression) aggregate.Verdict {
	s.Kind = finding.SuppressionInSource
	s.Status = finding.SuppressionAccepted
	return aggregate.Verdict{Suppress: s}
}

// lines returns the file's lines, read once. A file that cannot be read
// has none.
func (in *Inline) lines(ctx context.Context, rel string) [][]byte {
	in.mu.Lock()
	defer in.mu.Unlock()
	if l, ok := in.files[rel]; ok {
		return l
	}
	if !in.open {
		in.open = true
		in.src, _ = sourcefile.Open(in.root, 0)
	}
	var lines [][]byte
	if in.src != nil {
		var err error
		if lines, err = in.src.Lines(ctx, rel); err != nil {
			lines = nil
			if ctx.Err() != nil {
				return nil // not remembered: a later run may read it
			}
		}
	}
	in.files[rel] = lines
	return lines
}

var (
	scanmuxRE  = regexp.MustCompile(`scanmux:ignore[ \t]+([^\s]+)(?:[ \t]+--[ \t]*(.*))?`)
	nosecRE    = regexp.MustCompile(`#[ \t]*nosec\b([^\n]*)`)
	nolintRE   = regexp.MustCompile(`//[ \t]*nolint(?::([\w,-]+))?`)
	checkovRE  = regexp.MustCompile(`checkov:skip=([A-Za-z0-9_]+)(?::(.*))?`)
	trivyRE    = regexp.MustCompile(`trivy:ignore:([A-Za-z0-9_-]+)`)
	nosecIDsRE = regexp.MustCompile(`^[GB]\d{3}$`) // gosec G101, bandit B602
)

// scanmuxIgnore matches "scanmux:ignore RULE[,RULE] -- reason"; RULE is
// a rule id or TOOL/RULE.
func scanmuxIgnore(l []byte, f *finding.Finding) *finding.Suppression {
	m := scanmuxRE.FindSubmatch(l)
	if m == nil {
		return nil
	}
	for _, r := range strings.Split(string(m[1]), ",") {
		tool, rule, ok := strings.Cut(r, "/")
		if !ok {
			tool, rule = "", r
		}
		if rule == f.Rule.ID && (tool == "" || strings.EqualFold(tool, f.Tool.Name)) {
			reason := strings.TrimSpace(string(m[2]))
			if reason == "" {
				reason = "scanmux:ignore " + r
			}
			return &finding.Suppression{Justification: reason, Source: "inline:scanmux:ignore"}
		}
	}
	return nil
}

// nosec matches gosec's "#nosec [G101 G102] [-- reason]" and bandit's
// "# nosec B602".
func nosec(l []byte, rule string) *finding.Suppression {
	m := nosecRE.FindSubmatch(l)
	if m == nil {
		return nil
	}
	rest, reason, _ := strings.Cut(string(m[1]), "--")
	var ids []string
	for _, w := range strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
		if nosecIDsRE.MatchString(w) {
			ids = append(ids, w)
		}
	}
	if len(ids) > 0 && !slices.Contains(ids, rule) {
		return nil
	}
	j := strings.TrimSpace(reason)
	if j == "" {
		j = strings.TrimSpace("#nosec " + strings.Join(ids, " "))
	}
	return &finding.Suppression{Justification: j, Source: "inline:#nosec"}
}

// nolint matches golangci-lint's "//nolint" and "//nolint:a,b".
func nolint(l []byte, tool string) *finding.Suppression {
	m := nolintRE.FindSubmatch(l)
	if m == nil {
		return nil
	}
	linters := []string{"gosec", "staticcheck"} // bare //nolint
	if len(m[1]) > 0 {
		linters = strings.Split(string(m[1]), ",")
	}
	if !slices.Contains(linters, tool) {
		return nil
	}
	return &finding.Suppression{Justification: strings.TrimSpace(string(m[0])), Source: "inline:nolint"}
}

// checkovSkip matches "checkov:skip=CKV_X:reason" for that rule.
func checkovSkip(l []byte, rule string) *finding.Suppression {
	for _, m := range checkovRE.FindAllSubmatch(l, -1) {
		if string(m[1]) != rule {
			continue
		}
		j := strings.TrimSpace(string(m[2]))
		if j == "" {
			j = "checkov:skip=" + rule
		}
		return &finding.Suppression{Justification: j, Source: "inline:checkov:skip"}
	}
	return nil
}

// trivyIgnore matches "trivy:ignore:AVD-X-0001" for the finding's rule id
// or its AVD id (trivy findings carry both; the adapter keeps the other in
// Properties["avdid"] or ["id"]).
func trivyIgnore(l []byte, f *finding.Finding) *finding.Suppression {
	for _, m := range trivyRE.FindAllSubmatch(l, -1) {
		id := string(m[1])
		if strings.EqualFold(id, f.Rule.ID) || strings.EqualFold(id, f.Properties["avdid"]) || strings.EqualFold(id, f.Properties["id"]) {
			return &finding.Suppression{Justification: "trivy:ignore:" + id, Source: "inline:trivy:ignore"}
		}
	}
	return nil
}
