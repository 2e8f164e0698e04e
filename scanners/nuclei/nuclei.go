// Package nuclei reads ProjectDiscovery nuclei's JSON output into scanmux
// findings.
//
// The adapter, "nuclei", reads both the JSON Lines stream (nuclei -jsonl,
// -json in old versions: one result object per line) and the JSON array
// export (-json-export), streaming either one result at a time. Each result
// is one finding of category dast:
//
//   - Rule.ID is the template id; Name, FullDescription, HelpText, Tags come
//     from the template's info (name, description, remediation, tags) and
//     HelpURI is the template URL, else its first reference.
//   - Severity is info.severity read by finding.ParseSeverity ("unknown"
//     becomes info); OriginalSeverity is that word verbatim.
//   - CWEs and VulnIDs come from info.classification (cwe-id, cve-id).
//   - Location.Web.URL is matched-at, else host, else url; Method is the
//     method of the first request line when the request is HTTP; Evidence
//     lists the extracted results.
//
// The matcher name, extractor name, template path, type, ip, port and
// timestamp go in properties. The raw request and response, the curl
// command and the "meta" values are not copied: they are large and may
// hold credentials and session tokens.
package nuclei

import (
	"bufio"
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

// Adapters returns the nuclei adapter.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads nuclei JSONL and JSON array output. Its name is "nuclei".
type Adapter struct{}

// Name returns "nuclei".
func (Adapter) Name() string { return "nuclei" }

const expected = "nuclei JSONL or JSON export"

var reHead = regexp.MustCompile(`^\s*\[?\s*\{\s*"(template|template-id|template-path|template-url|info)"\s*:`)

// Detect claims an object (or an array of objects) that starts with one of
// nuclei's template keys and has "template-id".
func (Adapter) Detect(head []byte) bool {
	return reHead.Match(head) && bytes.Contains(head, []byte(`"template-id"`))
}

// list is a JSON value that nuclei writes as a list, a single string or
// null depending on the template.
type list []string

// UnmarshalJSON accepts a list of strings, a string or null.
func (l *list) UnmarshalJSON(b []byte) error {
	var s []string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = s
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	if one != "" {
		*l = []string{one}
	}
	return nil
}

type result struct {
	Template    string `json:"template"`
	TemplateID  string `json:"template-id"`
	TemplatePth string `json:"template-path"`
	TemplateURL string `json:"template-url"`
	Info        struct {
		Name           string `json:"name"`
		Author         list   `json:"author"`
		Tags           list   `json:"tags"`
		Description    string `json:"description"`
		Remediation    string `json:"remediation"`
		Reference      list   `json:"reference"`
		Severity       string `json:"severity"`
		Classification *struct {
			CVEID       list            `json:"cve-id"`
			CWEID       list            `json:"cwe-id"`
			CVSSMetrics string          `json:"cvss-metrics"`
			CVSSScore   json.RawMessage `json:"cvss-score"`
			CPE         string          `json:"cpe"`
		} `json:"classification"`
	} `json:"info"`
	Type             string `json:"type"`
	Host             string `json:"host"`
	Port             string `json:"port"`
	Scheme           string `json:"scheme"`
	URL              string `json:"url"`
	Path             string `json:"path"`
	MatchedAt        string `json:"matched-at"`
	ExtractedResults list   `json:"extracted-results"`
	Request          string `json:"request"`
	IP               string `json:"ip"`
	Timestamp        string `json:"timestamp"`
	MatcherName      string `json:"matcher-name"`
	ExtractorName    string `json:"extractor-name"`
}

// Decode reads nuclei results, one at a time, from a JSON Lines stream or
// a JSON array.
func (Adapter) Decode(r io.Reader, name string, _ *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "nuclei", InformationURI: "https://github.com/projectdiscovery/nuclei"}
	br := bufio.NewReader(r)
	dec := json.NewDecoder(br)
	t, err := dec.Token()
	if err != nil {
		return tool, scanners.FormatError(name, expected, errText(err))
	}
	array := t == json.Delim('[')
	if !array && t != json.Delim('{') {
		return tool, scanners.FormatError(name, expected, fmt.Sprintf("starts with %v", t))
	}
	if !array {
		// Start again: the first token was the first object's brace.
		dec = json.NewDecoder(io.MultiReader(strings.NewReader("{"), dec.Buffered(), br))
	}
	n := 0
	for {
		if array && !dec.More() {
			if _, err := dec.Token(); err != nil {
				return tool, scanners.FormatError(name, expected, errText(err))
			}
			return tool, nil
		}
		var res result
		err := dec.Decode(&res)
		if !array && errors.Is(err, io.EOF) {
			return tool, nil
		}
		if err != nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("result %d: %v", n+1, errText(err)))
		}
		n++
		if res.TemplateID == "" && res.Info.Name == "" {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("result %d has no template-id", n))
		}
		if err := emit(convert(tool, &res)); err != nil {
			return tool, err
		}
	}
}

func errText(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

var reCWE = regexp.MustCompile(`(?i)^cwe-(\d+)$`)

func convert(tool finding.Tool, res *result) *finding.Finding {
	f := &finding.Finding{Tool: tool, Category: finding.CategoryDAST, Properties: map[string]string{}}
	in := &res.Info
	id := firstNonEmpty(res.TemplateID, "nuclei-template")
	f.Rule = finding.Rule{
		ID: id, Name: in.Name, ShortDescription: in.Name, FullDescription: strings.TrimSpace(in.Description),
		HelpText: strings.TrimSpace(in.Remediation), HelpURI: res.TemplateURL,
	}
	if f.Rule.HelpURI == "" && len(in.Reference) > 0 {
		f.Rule.HelpURI = in.Reference[0]
	}
	for _, tag := range in.Tags {
		for _, t := range strings.Split(tag, ",") {
			if t = strings.TrimSpace(t); t != "" && !slices.Contains(f.Rule.Tags, t) {
				f.Rule.Tags = append(f.Rule.Tags, t)
			}
		}
	}
	f.OriginalSeverity = in.Severity
	sev, err := finding.ParseSeverity(in.Severity)
	if err != nil {
		sev = finding.SeverityInfo
		f.Properties["nuclei.severityNote"] = "severity missing or unknown; info assumed"
	}
	f.Severity = sev
	if c := in.Classification; c != nil {
		for _, cwe := range c.CWEID {
			if m := reCWE.FindStringSubmatch(strings.TrimSpace(cwe)); m != nil {
				if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
					f.CWEs = append(f.CWEs, n)
				}
			}
		}
		slices.Sort(f.CWEs)
		f.CWEs = slices.Compact(f.CWEs)
		for _, cve := range c.CVEID {
			if cve = strings.ToUpper(strings.TrimSpace(cve)); cve != "" && !slices.Contains(f.VulnIDs, cve) {
				f.VulnIDs = append(f.VulnIDs, cve)
			}
		}
		set(f, "cvss.vector", c.CVSSMetrics)
		if s := strings.Trim(string(c.CVSSScore), `"`); s != "" && s != "null" {
			f.Properties["cvss.score"] = s
		}
		set(f, "nuclei.cpe", c.CPE)
	}
	target := firstNonEmpty(res.MatchedAt, res.Host, strings.TrimPrefix(res.URL, "/"), res.Path)
	w := &finding.Web{URL: target}
	if w.URL == "" {
		w.URL = "(unknown target)"
		f.Properties["nuclei.targetNote"] = "the result names no target"
	}
	if res.Type == "http" {
		if m, _, ok := strings.Cut(res.Request, " "); ok && m != "" && m == strings.ToUpper(m) && !strings.ContainsAny(m, "\r\n") {
			w.Method = m
		}
	}
	if len(res.ExtractedResults) > 0 {
		w.Evidence = strings.Join(res.ExtractedResults, ", ")
	}
	f.Location.Web = w
	msg := firstNonEmpty(in.Name, id)
	if res.MatcherName != "" {
		msg += " [" + res.MatcherName + "]"
	}
	if target != "" {
		msg += " at " + target
	}
	f.Message = msg
	set(f, "nuclei.matcherName", res.MatcherName)
	set(f, "nuclei.extractorName", res.ExtractorName)
	set(f, "nuclei.templatePath", firstNonEmpty(res.TemplatePth, res.Template))
	set(f, "nuclei.type", res.Type)
	set(f, "nuclei.host", res.Host)
	set(f, "nuclei.ip", res.IP)
	set(f, "nuclei.port", res.Port)
	set(f, "nuclei.timestamp", res.Timestamp)
	if len(in.Author) > 0 {
		f.Properties["nuclei.author"] = strings.Join(in.Author, ", ")
	}
	if len(in.Reference) > 0 {
		b, _ := json.Marshal([]string(in.Reference))
		f.Properties["references"] = string(b)
	}
	if len(f.Properties) == 0 {
		f.Properties = nil
	}
	return f
}

func set(f *finding.Finding, k, v string) {
	if v != "" {
		f.Properties[k] = v
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
