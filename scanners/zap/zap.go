// Package zap reads OWASP ZAP's reports into scanmux findings.
//
// It has three adapters, one per format:
//
//   - "zap-json": the traditional JSON report (ZAP's "traditional-json"
//     template, zap-baseline.py -J): an object with "@version" and a "site"
//     list, each site with "alerts", each alert with "instances";
//   - "zap-xml": the traditional XML report (OWASPZAPReport/site/alerts/
//     alertitem, each with instances/instance), from 2016 weekly builds to
//     ZAP 2.16;
//   - "zap-alerts": the alert list of ZAP's API (/JSON/core/view/alerts/,
//     {"alerts": [...]}, and the same list saved as {"vulnerabilities":
//     [...]}), one entry per alert instance.
//
// Every instance of an alert is one finding, of category dast, with the
// instance in Location.Web (URL, Method, Parameter, Evidence); an alert
// that lists no instance is one finding at its site. The traditional
// reports may list fewer instances than the alert's "count" (ZAP caps them
// per alert): the findings are the instances listed, and the count is kept
// in the "zap.count" property.
//
// Severity comes from the risk code by finding.SeverityFromZAPRisk (0 info,
// 1 low, 2 medium, 3 high), or from the risk word in the API list;
// OriginalSeverity is the riskcode (or risk) field verbatim. ZAP's
// confidence becomes Precision: 1 (Low) low, 2 (Medium) medium, 3 (High)
// high, 4 (Confirmed / User Confirmed) very-high, and 0 (False Positive)
// low with a suppression saying the alert was marked a false positive in
// ZAP. The CWE is the alert's cweid, ignored when -1 or 0. The rule id is
// the alertRef when present (it tells the variants of one scan rule apart),
// else the plugin id. HTML in descriptions and solutions is reduced to
// text; request and response headers and bodies are not copied.
package zap

import (
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// Adapters returns the zap-json, zap-xml and zap-alerts adapters.
func Adapters() []scanners.Adapter {
	return []scanners.Adapter{JSONAdapter{}, XMLAdapter{}, AlertsAdapter{}}
}

// alert is one ZAP alert of a traditional report, JSON or XML.
type alert struct {
	PluginID, AlertRef, Alert, Name string
	RiskCode, Confidence, RiskDesc  string
	Desc, Solution, OtherInfo       string
	Reference, CWEID, WASCID        string
	SourceID, Count                 string
	Tags                            []tag
	Instances                       []instance
}

type tag struct{ Tag, Link string }

type instance struct {
	URI, Method, Param, Attack, Evidence, OtherInfo string
}

// site is the scanned site of a traditional report.
type site struct{ Name, Host, Port, SSL string }

// fromAlert converts one instance (nil: the alert itself) of a traditional
// report's alert.
func fromAlert(tool finding.Tool, s site, a *alert, in *instance) *finding.Finding {
	f := &finding.Finding{Tool: tool, Category: finding.CategoryDAST, Properties: map[string]string{}}
	name := firstNonEmpty(a.Alert, a.Name)
	f.Rule = rule(a.PluginID, a.AlertRef, name, a.Desc, a.Solution, a.Reference)
	for _, t := range a.Tags {
		if t.Tag != "" && !slices.Contains(f.Rule.Tags, t.Tag) {
			f.Rule.Tags = append(f.Rule.Tags, t.Tag)
		}
	}
	f.OriginalSeverity = a.RiskCode
	code, err := strconv.Atoi(strings.TrimSpace(a.RiskCode))
	if err == nil {
		f.Severity, err = finding.SeverityFromZAPRisk(code)
	}
	if err != nil {
		f.Severity = finding.SeverityInfo
		f.Properties["zap.severityNote"] = "risk code missing or out of range; info assumed"
	}
	if c, err := strconv.Atoi(strings.TrimSpace(a.Confidence)); err == nil {
		precision(f, c)
	}
	f.CWEs = cwe(a.CWEID)
	if in == nil {
		in = &instance{URI: s.Name}
		f.Properties["zap.noInstance"] = "the alert lists no instance; the site is its location"
	}
	web(f, in.URI, in.Method, in.Param, in.Evidence, in.Attack)
	f.Message = message(name, in.URI, in.Param)
	set(f, "zap.pluginId", a.PluginID)
	set(f, "zap.riskdesc", a.RiskDesc)
	set(f, "zap.confidence", a.Confidence)
	set(f, "zap.wascid", a.WASCID)
	set(f, "zap.sourceid", a.SourceID)
	set(f, "zap.count", a.Count)
	set(f, "zap.otherinfo", textOf(firstNonEmpty(in.OtherInfo, a.OtherInfo)))
	set(f, "zap.site", s.Name)
	return f
}

// rule builds the rule of an alert.
func rule(pluginID, alertRef, name, desc, solution, reference string) finding.Rule {
	r := finding.Rule{
		ID:               firstNonEmpty(alertRef, pluginID, name, "zap-alert"),
		Name:             name,
		ShortDescription: name,
		FullDescription:  textOf(desc),
		HelpText:         textOf(solution),
	}
	if refs := urls(reference); len(refs) > 0 {
		r.HelpURI = refs[0]
	}
	return r
}

// precision sets the precision of a ZAP confidence (0 false positive, 1
// low, 2 medium, 3 high, 4 user confirmed).
func precision(f *finding.Finding, c int) {
	switch c {
	case 0:
		f.Precision = finding.PrecisionLow
		f.Suppressions = []finding.Suppression{{
			Kind: finding.SuppressionExternal, Justification: "marked as a false positive in ZAP", Source: "zap",
		}}
	case 1:
		f.Precision = finding.PrecisionLow
	case 2:
		f.Precision = finding.PrecisionMedium
	case 3:
		f.Precision = finding.PrecisionHigh
	case 4:
		f.Precision = finding.PrecisionVeryHigh
	}
}

func web(f *finding.Finding, uri, method, param, evidence, attack string) {
	if uri == "" {
		uri = "(unknown URL)"
		f.Properties["zap.urlNote"] = "the report gives no URL"
	}
	f.Location.Web = &finding.Web{URL: uri, Method: method, Parameter: param, Evidence: evidence}
	set(f, "zap.attack", attack)
}

func message(name, uri, param string) string {
	m := firstNonEmpty(name, "ZAP alert")
	if uri != "" {
		m += " at " + uri
	}
	if param != "" {
		m += " (parameter " + param + ")"
	}
	return m
}

// cwe returns the CWE of a cweid field; -1 and 0 mean none.
func cwe(s string) []int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return nil
	}
	return []int{n}
}

var (
	reBreak = regexp.MustCompile(`(?i)</p>\s*<p>|<br\s*/?>|</li>`)
	reTag   = regexp.MustCompile(`<[^>]*>`)
	reURL   = regexp.MustCompile(`https?://[^\s<>"]+`)
)

// textOf reduces ZAP's HTML snippets ("<p>..</p><p>..</p>") to text.
func textOf(s string) string {
	s = reBreak.ReplaceAllString(s, "\n")
	s = reTag.ReplaceAllString(s, "")
	return strings.TrimSpace(html.UnescapeString(s))
}

// urls returns the URLs of a reference field.
func urls(s string) []string {
	return reURL.FindAllString(textOf(strings.ReplaceAll(s, "</p><p>", " ")), -1)
}

func set(f *finding.Finding, k, v string) {
	if v != "" {
		f.Properties[k] = v
	}
}

func done(f *finding.Finding) *finding.Finding {
	if len(f.Properties) == 0 {
		f.Properties = nil
	}
	return f
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
