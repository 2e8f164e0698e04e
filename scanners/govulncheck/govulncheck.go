// Package govulncheck reads the JSON stream of govulncheck (govulncheck
// -json) into scanmux findings.
//
// govulncheck -json writes a sequence of JSON objects, not an array. Each
// object holds exactly one of config (the scanner and its version), progress,
// SBOM, osv (an OSV entry) and finding. The adapter, "govulncheck", decodes
// the stream one object at a time.
//
// govulncheck reports a vulnerability at up to three levels as its analysis
// goes deeper: a finding whose trace[0] names only a module (the module is
// required), then one that also names a package (the package is imported),
// then one per call path that also names a function and a position (the
// vulnerable symbol is called). trace[0] is the vulnerable symbol and each
// later frame calls the one before it, at the frame's position; the last
// frame is the entry point in the user's code. The adapter keeps, for each
// OSV id, only the findings of the most precise level reached, as
// govulncheck's own text output and SARIF do, and drops repeats of the
// same (OSV id, module, package, symbol, call site). It therefore emits
// findings when the stream ends.
//
// Every finding is of category dependency:
//
//   - symbol level: Location.Path and Region are the call site: the
//     position of the frame nearest the vulnerable symbol (lowest index
//     from 1) whose module is a main module (the SBOM message's roots, and
//     always the entry point's module). That is the line of the user's
//     code that leads into the vulnerable dependency, which may be far
//     from the entry point: a handler calling html.Parse, reached from
//     main through net/http's ListenAndServe, is reported at the handler's
//     call, not at main's call of ListenAndServe. Severity high;
//   - package level: Location.Path is "go.mod", severity medium;
//   - module level: Location.Path is "go.mod", severity low.
//
// The whole trace of a symbol-level finding is kept as Related, from the
// entry point to the vulnerable symbol, one location a frame whose Message
// is the frame's function (package.Function or package.Receiver.Method).
// Frames of a main module carry their Path and Region; the positions of
// other modules' frames are relative to those modules (html/parse.go in
// golang.org/x/net), not to the scan root, so they are named in the
// Message ("golang.org/x/net/html.Parse (golang.org/x/net@v0.7.0
// html/parse.go:2343)") and the location has no Path.
//
// govulncheck gives no severity, so these levels stand in for one (the
// vulnerable code is called, imported, or only required) and
// OriginalSeverity stays empty; the level is in the "govulncheck.level"
// property. Package is the vulnerable module (Name, Version, FixedVersion,
// Ecosystem "Go", PURL pkg:golang/MODULE@VERSION). Rule.ID is the OSV id,
// VulnIDs the id and its aliases, and the whole trace is kept in the
// "govulncheck.trace" property.
package govulncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// Adapters returns the govulncheck adapter.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads govulncheck's JSON stream. Its name is "govulncheck".
type Adapter struct{}

// Name returns "govulncheck".
func (Adapter) Name() string { return "govulncheck" }

const expected = "govulncheck -json stream"

var reHead = regexp.MustCompile(`^\s*\{\s*"(config|progress|osv|finding|SBOM)"\s*:`)

// Detect claims a stream whose first object holds one of govulncheck's
// message kinds and that names govulncheck or its protocol.
func (Adapter) Detect(head []byte) bool {
	return reHead.Match(head) && (bytes.Contains(head, []byte(`"govulncheck"`)) ||
		bytes.Contains(head, []byte(`"protocol_version"`)) || bytes.Contains(head, []byte(`"scan_level"`)))
}

type message struct {
	Config *struct {
		ProtocolVersion string `json:"protocol_version"`
		ScannerName     string `json:"scanner_name"`
		ScannerVersion  string `json:"scanner_version"`
		DB              string `json:"db"`
		GoVersion       string `json:"go_version"`
		ScanLevel       string `json:"scan_level"`
		ScanMode        string `json:"scan_mode"`
	} `json:"config"`
	Progress *json.RawMessage `json:"progress"`
	SBOM     *struct {
		Roots []string `json:"roots"`
	} `json:"SBOM"`
	OSV     *osv      `json:"osv"`
	Finding *vfinding `json:"finding"`
}

type osv struct {
	ID               string   `json:"id"`
	Aliases          []string `json:"aliases"`
	Summary          string   `json:"summary"`
	Details          string   `json:"details"`
	DatabaseSpecific struct {
		URL string `json:"url"`
	} `json:"database_specific"`
}

type frame struct {
	Module   string    `json:"module"`
	Version  string    `json:"version"`
	Package  string    `json:"package"`
	Function string    `json:"function"`
	Receiver string    `json:"receiver"`
	Position *position `json:"position"`
}

// position is a place in a module's source.
type position struct {
	Filename string `json:"filename"`
	Offset   int    `json:"offset"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

type vfinding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

// level is how precise a finding is.
type level int

const (
	levelModule level = iota + 1
	levelPackage
	levelSymbol
)

func (l level) String() string { return [...]string{"", "module", "package", "symbol"}[l] }

func levelOf(f *vfinding) level {
	switch {
	case len(f.Trace) == 0:
		return levelModule
	case f.Trace[0].Function != "":
		return levelSymbol
	case f.Trace[0].Package != "":
		return levelPackage
	}
	return levelModule
}

// key identifies repeats of one finding; mains are the main modules.
func key(f *vfinding, mains map[string]bool) string {
	var b strings.Builder
	b.WriteString(f.OSV)
	if len(f.Trace) > 0 {
		t := f.Trace[0]
		fmt.Fprintf(&b, "\x00%s\x00%s\x00%s\x00%s", t.Module, t.Package, t.Receiver, t.Function)
		if site := f.Trace[callSite(f.Trace, mains)]; site.Position != nil && t.Function != "" {
			fmt.Fprintf(&b, "\x00%s:%d:%d", site.Position.Filename, site.Position.Line, site.Position.Column)
		}
	}
	return b.String()
}

// callSite returns the index of the frame of trace that is the finding's
// location: the frame nearest the vulnerable symbol (trace[0]) that is in
// a main module, the entry point's module always counting as one. A trace
// of one frame gives 0.
func callSite(trace []frame, mains map[string]bool) int {
	last := len(trace) - 1
	for i := 1; i < last; i++ {
		if m := trace[i].Module; m != "" && (mains[m] || m == trace[last].Module) {
			return i
		}
	}
	return max(last, 0)
}

// Decode reads a govulncheck -json stream one message at a time and emits
// the most precise findings of each vulnerability when the stream ends.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "govulncheck", InformationURI: "https://go.dev/security/vuln/"}
	if opts == nil {
		opts = &scanners.Options{}
	}
	dec := json.NewDecoder(r)
	osvs := map[string]*osv{}
	var order []string                // OSV ids in order of first finding
	best := map[string]level{}        // most precise level per OSV id
	found := map[string][]*vfinding{} // findings at that level per OSV id
	mains := map[string]bool{}        // main modules, from the SBOM message
	n := 0
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return tool, scanners.FormatError(name, expected, "empty input")
			}
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return tool, scanners.FormatError(name, expected, fmt.Sprintf("message %d: unexpected end of input", n+1))
			}
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("message %d: %v", n+1, err))
		}
		n++
		switch {
		case m.Config != nil:
			if m.Config.ScannerName != "" && m.Config.ScannerName != "govulncheck" {
				tool.Name = m.Config.ScannerName
			}
			tool.Version = m.Config.ScannerVersion
		case m.OSV != nil:
			osvs[m.OSV.ID] = m.OSV
		case m.Finding != nil:
			f := m.Finding
			if f.OSV == "" {
				return tool, scanners.FormatError(name, expected, fmt.Sprintf("message %d: finding without osv id", n))
			}
			lv := levelOf(f)
			if _, ok := best[f.OSV]; !ok {
				order = append(order, f.OSV)
			}
			switch {
			case lv < best[f.OSV]:
				continue
			case lv > best[f.OSV]:
				best[f.OSV] = lv
				found[f.OSV] = nil
			}
			found[f.OSV] = append(found[f.OSV], f)
		case m.SBOM != nil:
			for _, r := range m.SBOM.Roots {
				mains[r] = true
			}
		case m.Progress != nil:
		default:
			if n == 1 {
				return tool, scanners.FormatError(name, expected, "first message has no config, progress, SBOM, osv or finding")
			}
		}
	}
	// Repeats are dropped only now: the SBOM message that names the main
	// modules, and so the call sites, may come after findings.
	seen := map[string]bool{}
	for _, id := range order {
		for _, f := range found[id] {
			if k := key(f, mains); !seen[k] {
				seen[k] = true
				if err := emit(convert(tool, osvs[id], f, best[id], mains, opts)); err != nil {
					return tool, err
				}
			}
		}
	}
	return tool, nil
}

// convert maps a finding of the stream, at level lv, to a finding; mains
// are the main modules.
func convert(tool finding.Tool, o *osv, f *vfinding, lv level, mains map[string]bool, opts *scanners.Options) *finding.Finding {
	if o == nil {
		o = &osv{ID: f.OSV}
	}
	out := &finding.Finding{Tool: tool, Category: finding.CategoryDependency, Properties: map[string]string{"govulncheck.level": lv.String()}}
	out.Rule = finding.Rule{ID: f.OSV, ShortDescription: o.Summary, FullDescription: strings.TrimSpace(o.Details),
		HelpURI: o.DatabaseSpecific.URL}
	if out.Rule.HelpURI == "" && strings.HasPrefix(f.OSV, "GO-") {
		out.Rule.HelpURI = "https://pkg.go.dev/vuln/" + f.OSV
	}
	out.VulnIDs = []string{f.OSV}
	for _, a := range o.Aliases {
		if a != "" && !slices.Contains(out.VulnIDs, a) {
			out.VulnIDs = append(out.VulnIDs, a)
		}
	}
	var vuln frame
	if len(f.Trace) > 0 {
		vuln = f.Trace[0]
	}
	pkg := &finding.Package{Name: vuln.Module, Version: vuln.Version, FixedVersion: f.FixedVersion, Ecosystem: "Go"}
	if pkg.Name == "" {
		pkg.Name = "unknown"
	}
	if vuln.Module != "" {
		pkg.PURL = "pkg:golang/" + vuln.Module
		if vuln.Version != "" {
			pkg.PURL += "@" + vuln.Version
		}
	}
	out.Location.Package = pkg
	out.Location.Path = "go.mod"
	summary := ""
	if o.Summary != "" {
		summary = ": " + o.Summary
	}
	switch lv {
	case levelSymbol:
		out.Severity = finding.SeverityHigh
		sym := symbol(vuln)
		out.Properties["govulncheck.symbol"] = sym
		i := callSite(f.Trace, mains)
		site := f.Trace[i]
		if p := site.Position; p != nil && p.Filename != "" && i > 0 {
			if loc, ok := location(opts.Root, p); ok {
				out.Location.Path, out.Location.Region = loc.Path, loc.Region
			} else {
				out.Properties["govulncheck.callSite"] = p.Filename + ":" + strconv.Itoa(p.Line)
			}
		}
		switch i {
		case 0:
			out.Message = fmt.Sprintf("your code calls %s, which has vulnerability %s%s", sym, f.OSV, summary)
		case 1:
			out.Message = fmt.Sprintf("%s calls %s, which has vulnerability %s%s", symbol(site), sym, f.OSV, summary)
		default:
			out.Message = fmt.Sprintf("%s calls %s, which leads to %s, which has vulnerability %s%s",
				symbol(site), symbol(f.Trace[i-1]), sym, f.OSV, summary)
		}
		if entry := f.Trace[len(f.Trace)-1]; i != len(f.Trace)-1 {
			out.Properties["govulncheck.entryPoint"] = symbol(entry)
		}
		out.Properties["govulncheck.trace"] = traceText(f.Trace)
		out.Related = related(f.Trace, mains, opts.Root)
	case levelPackage:
		out.Severity = finding.SeverityMedium
		out.Properties["govulncheck.package"] = vuln.Package
		out.Message = fmt.Sprintf("package %s is imported and has vulnerability %s%s (no vulnerable symbol is called)", vuln.Package, f.OSV, summary)
	default:
		out.Severity = finding.SeverityLow
		out.Message = fmt.Sprintf("module %s@%s is required and has vulnerability %s%s (no vulnerable package is imported)", pkg.Name, vuln.Version, f.OSV, summary)
	}
	if f.FixedVersion != "" {
		out.Message += "; fixed in " + f.FixedVersion
	}
	return out
}

// symbol names a frame's function: package.Function or
// package.Receiver.Method.
func symbol(fr frame) string {
	s := fr.Function
	if fr.Receiver != "" {
		s = strings.TrimPrefix(fr.Receiver, "*") + "." + s
	}
	if fr.Package != "" {
		s = fr.Package + "." + s
	}
	return s
}

// location returns the location of position p of a main module's frame;
// ok is false when its file cannot be made relative to root.
func location(root string, p *position) (loc finding.Location, ok bool) {
	rel, err := finding.NormalizePath(root, p.Filename)
	if err != nil {
		return loc, false
	}
	loc.Path = rel
	if p.Line > 0 {
		loc.Region = finding.Region{StartLine: p.Line, StartColumn: max(p.Column, 0)}
	}
	return loc, true
}

// related returns the frames of trace as related locations, from the
// entry point to the vulnerable symbol (see the package documentation).
func related(trace []frame, mains map[string]bool, root string) []finding.Location {
	out := make([]finding.Location, 0, len(trace))
	entryModule := trace[len(trace)-1].Module
	for i := len(trace) - 1; i >= 0; i-- {
		fr := trace[i]
		loc := finding.Location{Message: symbol(fr)}
		p := fr.Position
		inMain := fr.Module != "" && (mains[fr.Module] || fr.Module == entryModule)
		switch {
		case p == nil || p.Filename == "":
		case inMain:
			if l, ok := location(root, p); ok {
				loc.Path, loc.Region = l.Path, l.Region
				break
			}
			loc.Message += fmt.Sprintf(" (%s:%d)", p.Filename, p.Line)
		default:
			mod := fr.Module
			if fr.Version != "" {
				mod += "@" + fr.Version
			}
			loc.Message += fmt.Sprintf(" (%s %s:%d)", mod, p.Filename, p.Line)
		}
		out = append(out, loc)
	}
	return out
}

// traceText writes a trace from the entry point to the vulnerable symbol,
// one "symbol (file:line)" per step.
func traceText(trace []frame) string {
	var parts []string
	for i := len(trace) - 1; i >= 0; i-- {
		s := symbol(trace[i])
		if p := trace[i].Position; p != nil {
			s += fmt.Sprintf(" (%s:%d)", p.Filename, p.Line)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " -> ")
}
