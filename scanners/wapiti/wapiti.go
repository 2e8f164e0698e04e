// Package wapiti reads the JSON report of the Wapiti web vulnerability
// scanner (wapiti -f json) into scanmux findings.
//
// The adapter, "wapiti", reads the report of Wapiti 3: an object with
// "vulnerabilities", "anomalies" and "additionals" (each a map from a
// category name, such as "SQL Injection", to a list of entries),
// "classifications" (each category's description, solution and references)
// and "infos" (target, date, version, scope).
//
// Every entry of the three maps is one finding of category dast:
//
//   - Rule.ID is the category name, Rule.FullDescription, HelpText and
//     HelpURI come from its classification (desc, sol, the first of ref),
//     and the WSTG codes of newer Wapiti versions become tags;
//   - Message is the entry's info;
//   - Location.Web.URL is the entry's path resolved against the scanned
//     target (Wapiti 3.0 writes a path, later versions a URL), with the
//     method and the parameter;
//   - CWEs come from a table of Wapiti categories (see [CWEs]); categories
//     outside it, and "Internal Server Error", have none.
//
// Severity follows Wapiti's level (wapitiCore/language/vulnerability.py:
// INFO_LEVEL 0, LOW_LEVEL 1, MEDIUM_LEVEL 2, HIGH_LEVEL 3, CRITICAL_LEVEL
// 4) for every kind of entry: 0 info, 1 low, 2 medium, 3 high, 4 critical.
// OriginalSeverity is the level as written. Anomalies keep their level (a
// server error after an injection is rated HIGH_LEVEL by Wapiti) but, being
// signs of a flaw rather than proven flaws, get Precision low; the property
// "wapiti.kind" says whether an entry is a vulnerability, an anomaly or an
// additional. The HTTP request and the curl command of each entry are not
// copied, as they may carry session cookies or credentials.
package wapiti

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// Adapters returns the wapiti adapter.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Wapiti JSON reports. Its name is "wapiti".
type Adapter struct{}

// Name returns "wapiti".
func (Adapter) Name() string { return "wapiti" }

const expected = "Wapiti JSON report"

var reHead = regexp.MustCompile(`^\s*\{\s*"(classifications|vulnerabilities|anomalies|additionals|infos)"\s*:\s*\{`)

// Detect claims an object whose first key is one of Wapiti's sections and
// holds an object (ZAP's alert list has a "vulnerabilities" list instead).
func (Adapter) Detect(head []byte) bool {
	if !reHead.Match(head) {
		return false
	}
	for _, k := range []string{`"classifications"`, `"anomalies"`, `"additionals"`, `"sol"`, `"wstg"`} {
		if bytes.Contains(head, []byte(k)) {
			return true
		}
	}
	return false
}

// CWEs maps Wapiti's category names (3.0 to 3.2) to CWE numbers.
var CWEs = map[string]int{
	"Backup file":                           530,
	"Blind SQL Injection":                   89,
	"Weak credentials":                      521,
	"CRLF Injection":                        93,
	"Content Security Policy Configuration": 693,
	"Cross Site Request Forgery":            352,
	"Command execution":                     78,
	"Path Traversal":                        22,
	"Htaccess Bypass":                       650,
	"HTTP Secure Headers":                   693,
	"HttpOnly Flag cookie":                  1004,
	"Open Redirect":                         601,
	"Secure Flag cookie":                    614,
	"SQL Injection":                         89,
	"Server Side Request Forgery":           918,
	"Cross Site Scripting":                  79,
	"Reflected Cross Site Scripting":        79,
	"Stored Cross Site Scripting":           79,
	"XML External Entity":                   611,
	"Resource consumption":                  400,
	"Fingerprint web technology":            200,
	"Unencrypted Channels":                  319,
	"Log4Shell":                             502,
	"Spring4Shell":                          94,
	"LDAP Injection":                        90,
	"Inconsistent Redirection":              601,
	"Subdomain takeover":                    284,
	"TLS/SSL misconfigurations":             326,
	"Vulnerable software":                   1104,
	"Clickjacking Protection":               1021,
	"MIME Type Confusion":                   16,
	"HTTP Strict Transport Security (HSTS)": 523,
}

type classification struct {
	Desc string            `json:"desc"`
	Sol  string            `json:"sol"`
	Ref  map[string]string `json:"ref"`
	WSTG []string          `json:"wstg"`
}

type entry struct {
	Method      string          `json:"method"`
	Path        string          `json:"path"`
	Info        string          `json:"info"`
	Level       json.RawMessage `json:"level"`
	Parameter   string          `json:"parameter"`
	Referer     string          `json:"referer"`
	Module      string          `json:"module"`
	WSTG        []string        `json:"wstg"`
	HTTPRequest string          `json:"http_request"`
}

// category is one category of a section, in report order.
type category struct {
	name    string
	entries []entry
}

type report struct {
	classifications map[string]classification
	sections        map[string][]category
	infos           struct {
		Target  string `json:"target"`
		Date    string `json:"date"`
		Version string `json:"version"`
		Scope   string `json:"scope"`
	}
}

// Decode reads a Wapiti JSON report, one document read whole.
func (Adapter) Decode(r io.Reader, name string, _ *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "wapiti", InformationURI: "https://wapiti-scanner.github.io"}
	rep, err := parse(r)
	if err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if v := rep.infos.Version; v != "" {
		tool.Version = strings.TrimSpace(strings.TrimPrefix(v, "Wapiti"))
	}
	for _, kind := range []string{"vulnerabilities", "anomalies", "additionals"} {
		for _, c := range rep.sections[kind] {
			for i := range c.entries {
				if err := emit(convert(tool, rep, kind, c.name, &c.entries[i])); err != nil {
					return tool, err
				}
			}
		}
	}
	return tool, nil
}

// parse reads the report, keeping the order of categories.
func parse(r io.Reader) (*report, error) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	rep := &report{sections: map[string][]category{}}
	seen := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		switch key {
		case "classifications":
			if err := dec.Decode(&rep.classifications); err != nil {
				return nil, fmt.Errorf("classifications: %w", err)
			}
		case "infos":
			if err := dec.Decode(&rep.infos); err != nil {
				return nil, fmt.Errorf("infos: %w", err)
			}
		case "vulnerabilities", "anomalies", "additionals":
			seen = true
			cats, err := section(dec)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			rep.sections[key] = cats
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if !seen {
		return nil, fmt.Errorf(`no "vulnerabilities", "anomalies" or "additionals"`)
	}
	return rep, nil
}

// section reads a map of category name to entries, in order.
func section(dec *json.Decoder) ([]category, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var cats []category
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		c := category{name: t.(string)}
		if err := dec.Decode(&c.entries); err != nil {
			return nil, fmt.Errorf("%q: %w", c.name, err)
		}
		cats = append(cats, c)
	}
	_, err = dec.Token()
	return cats, err
}

func convert(tool finding.Tool, rep *report, kind, cat string, e *entry) *finding.Finding {
	f := &finding.Finding{Tool: tool, Category: finding.CategoryDAST, Properties: map[string]string{"wapiti.kind": kind}}
	cl := rep.classifications[cat]
	f.Rule = finding.Rule{ID: cat, Name: cat, ShortDescription: cat, FullDescription: strings.TrimSpace(cl.Desc),
		HelpText: strings.TrimSpace(cl.Sol)}
	if f.Rule.ID == "" {
		f.Rule.ID = "wapiti"
	}
	refs := slices.Sorted(func(yield func(string) bool) {
		for _, u := range cl.Ref {
			if !yield(u) {
				return
			}
		}
	})
	if len(refs) > 0 {
		f.Rule.HelpURI = refs[0]
		b, _ := json.Marshal(cl.Ref)
		f.Properties["references"] = string(b)
	}
	for _, w := range append(slices.Clone(cl.WSTG), e.WSTG...) {
		if w != "" && !slices.Contains(f.Rule.Tags, w) {
			f.Rule.Tags = append(f.Rule.Tags, w)
		}
	}
	if n, ok := CWEs[cat]; ok {
		f.CWEs = []int{n}
	}
	lvl := strings.Trim(string(e.Level), `"`)
	f.OriginalSeverity = lvl
	switch lvl {
	case "0":
		f.Severity = finding.SeverityInfo
	case "1":
		f.Severity = finding.SeverityLow
	case "2":
		f.Severity = finding.SeverityMedium
	case "3":
		f.Severity = finding.SeverityHigh
	case "4":
		f.Severity = finding.SeverityCritical
	default:
		f.OriginalSeverity = ""
		f.Severity = finding.SeverityInfo
		if kind == "vulnerabilities" {
			f.Severity = finding.SeverityMedium
		}
		f.Properties["wapiti.severityNote"] = "no level 0-4; " + f.Severity.String() + " assumed"
	}
	if kind == "anomalies" {
		f.Precision = finding.PrecisionLow
	}
	w := &finding.Web{URL: resolve(rep.infos.Target, e.Path), Method: e.Method, Parameter: e.Parameter}
	if w.URL == "" {
		w.URL = "(unknown URL)"
		f.Properties["wapiti.urlNote"] = "the entry gives no path and the report no target"
	}
	f.Location.Web = w
	f.Message = strings.TrimSpace(e.Info)
	if f.Message == "" {
		f.Message = cat + " at " + w.URL
	}
	set(f, "wapiti.module", e.Module)
	set(f, "wapiti.referer", e.Referer)
	set(f, "wapiti.target", rep.infos.Target)
	set(f, "wapiti.date", rep.infos.Date)
	set(f, "wapiti.scope", rep.infos.Scope)
	if req := firstLine(e.HTTPRequest); req != "" {
		// Only the request line: headers may carry cookies.
		f.Properties["wapiti.requestLine"] = req
	}
	return f
}

// resolve returns the entry's URL: p itself when absolute, else p resolved
// against the target.
func resolve(target, p string) string {
	if p == "" {
		return target
	}
	u, err := url.Parse(p)
	if err != nil || u.IsAbs() {
		return p
	}
	base, err := url.Parse(target)
	if err != nil || !base.IsAbs() {
		return p
	}
	return base.ResolveReference(u).String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func set(f *finding.Finding, k, v string) {
	if v != "" {
		f.Properties[k] = v
	}
}
