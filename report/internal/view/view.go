// Package view holds what the report formats share: where a finding is in
// words, its state, the tools that reported it, links to the code and the
// order people read findings in.
package view

import (
	"cmp"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
)

// States a finding can be in, as the formats show them.
const (
	StateSuppressed = "suppressed"
	StateNew        = "new"
	StateUnchanged  = "unchanged"
	StateUpdated    = "updated"
	StateOpen       = "open" // no baseline was given
)

// State is "suppressed" for a suppressed finding, else its baseline state,
// else "open".
func State(f *finding.Finding) string {
	switch {
	case f.Suppressed():
		return StateSuppressed
	case f.Baseline == finding.BaselineNew:
		return StateNew
	case f.Baseline == finding.BaselineUnchanged:
		return StateUnchanged
	case f.Baseline == finding.BaselineUpdated:
		return StateUpdated
	}
	return StateOpen
}

// Where says where a finding is: "path:line" (or "path:start-end"), the
// package, image, resource or URL.
func Where(l *finding.Location) string {
	var s string
	switch {
	case l.Path != "":
		s = l.Path
		if r := l.Region; r.StartLine > 0 {
			s += fmt.Sprintf(":%d", r.StartLine)
			if r.EndLine > r.StartLine {
				s += fmt.Sprintf("-%d", r.EndLine)
			}
		}
	case l.Package != nil:
		s = l.Package.Name
		if l.Package.Version != "" {
			s += "@" + l.Package.Version
		}
		if l.Package.Image != "" {
			s += " in " + l.Package.Image
		}
	case l.Web != nil:
		s = strings.TrimSpace(l.Web.Method + " " + l.Web.URL)
	}
	if l.Resource != "" {
		if s != "" {
			s += " "
		}
		s += "(" + l.Resource + ")"
	}
	return s
}

// Tools lists the tool that reported f first, then the others whose
// reports were merged into it, each once.
func Tools(f *finding.Finding) []string {
	out := []string{f.Tool.Name}
	for _, a := range f.Also {
		if !slices.Contains(out, a.Tool.Name) {
			out = append(out, a.Tool.Name)
		}
	}
	return out
}

// Reason joins the suppressions' justifications and sources:
// "reason (source); reason (source)".
func Reason(f *finding.Finding) string {
	var parts []string
	for _, s := range f.Suppressions {
		if s.Status == finding.SuppressionRejected {
			continue
		}
		p := s.Justification
		if p == "" {
			p = "no reason given"
		}
		if s.Source != "" {
			p += " (" + s.Source + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// Title is the rule's name or id and its short description.
func Title(f *finding.Finding) string {
	id := f.Rule.ID
	if d := f.Rule.ShortDescription; d != "" && d != id {
		return id + ": " + d
	}
	return id
}

// FirstLine is s up to its first line end, trimmed.
func FirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(strings.TrimSuffix(s, "\r"))
}

// BySeverity returns the findings sorted most severe first, in the
// report's order within a severity.
func BySeverity(fs []*finding.Finding) []*finding.Finding {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b *finding.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	return out
}

// Links makes links to lines of code on a code host.
type Links struct {
	// Base is the URL a repository-relative path is appended to; "" makes
	// no links.
	Base string
	// GitLab writes GitLab's line anchors (#L3-5) instead of GitHub's
	// (#L3-L5).
	GitLab bool
}

// LinkBase returns the links of the "link-base" parameter when set (GitHub
// anchors, GitLab's with "link-style" "gitlab"), else GitHub's blob URL
// of the commit from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA,
// else GitLab's from CI_PROJECT_URL and CI_COMMIT_SHA, else none.
func LinkBase(o *report.Options) Links {
	if b := o.Param("link-base"); b != "" {
		return Links{Base: strings.TrimSuffix(b, "/") + "/", GitLab: o.Param("link-style") == "gitlab"}
	}
	if server, repo, sha := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_SHA"); server != "" && repo != "" && sha != "" && httpURL(server) {
		return Links{Base: strings.TrimSuffix(server, "/") + "/" + pathEscape(repo) + "/blob/" + url.PathEscape(sha) + "/"}
	}
	if project, sha := os.Getenv("CI_PROJECT_URL"), os.Getenv("CI_COMMIT_SHA"); project != "" && sha != "" && httpURL(project) {
		return Links{Base: strings.TrimSuffix(project, "/") + "/-/blob/" + url.PathEscape(sha) + "/", GitLab: true}
	}
	return Links{}
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// Link is the link to the location's lines, or "" when there is no base
// or the location has no file.
func (k Links) Link(l *finding.Location) string {
	if k.Base == "" || l.Path == "" {
		return ""
	}
	s := k.Base + pathEscape(l.Path)
	if r := l.Region; r.StartLine > 0 {
		s += fmt.Sprintf("#L%d", r.StartLine)
		if r.EndLine > r.StartLine {
			if k.GitLab {
				s += fmt.Sprintf("-%d", r.EndLine)
			} else {
				s += fmt.Sprintf("-L%d", r.EndLine)
			}
		}
	}
	return s
}

// pathEscape escapes each segment of a slash-separated path.
func pathEscape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
