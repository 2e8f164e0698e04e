package zap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// AlertsAdapter reads the alert list of ZAP's API (/JSON/core/view/alerts/).
// Its name is "zap-alerts".
type AlertsAdapter struct{}

// Name returns "zap-alerts".
func (AlertsAdapter) Name() string { return "zap-alerts" }

var reAlertsHead = regexp.MustCompile(`^\s*\{\s*"(alerts|vulnerabilities)"\s*:\s*\[\s*(\]|\{)`)

// Detect claims an object whose first key is "alerts" (or
// "vulnerabilities") holding a list of alerts with ZAP's "pluginId".
func (AlertsAdapter) Detect(head []byte) bool {
	return reAlertsHead.Match(head) && (bytes.Contains(head, []byte(`"pluginId"`)) || bytes.Contains(head, []byte(`"messageId"`)))
}

type apiAlert struct {
	ID          string `json:"id"`
	PluginID    string `json:"pluginId"`
	AlertRef    string `json:"alertRef"`
	Alert       string `json:"alert"`
	Name        string `json:"name"`
	Risk        string `json:"risk"`
	Confidence  string `json:"confidence"`
	URL         string `json:"url"`
	Method      string `json:"method"`
	Param       string `json:"param"`
	Attack      string `json:"attack"`
	Evidence    string `json:"evidence"`
	Description string `json:"description"`
	Solution    string `json:"solution"`
	Reference   string `json:"reference"`
	Other       string `json:"other"`
	CWEID       string `json:"cweid"`
	WASCID      string `json:"wascid"`
	SourceID    string `json:"sourceid"`
	MessageID   string `json:"messageId"`
	Tags        map[string]string
}

// riskCodes maps the API's risk words to risk codes.
var riskCodes = map[string]int{"informational": 0, "info": 0, "low": 1, "medium": 2, "high": 3}

// confidenceCodes maps the API's confidence words to confidence codes.
var confidenceCodes = map[string]int{
	"false positive": 0, "falsepositive": 0, "low": 1, "medium": 2, "high": 3, "confirmed": 4, "user confirmed": 4,
}

// Decode reads the alert list, one alert at a time.
func (AlertsAdapter) Decode(r io.Reader, name string, _ *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	const expected = `ZAP API alert list ({"alerts": [...]})`
	tool := finding.Tool{Name: "zap", InformationURI: "https://www.zaproxy.org"}
	dec := json.NewDecoder(r)
	fail := func(problem string) (finding.Tool, error) {
		return tool, scanners.FormatError(name, expected, problem)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fail(fmt.Sprintf("not a JSON object (%v)", err))
	}
	seen := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail(err.Error())
		}
		key, _ := t.(string)
		if key != "alerts" && key != "vulnerabilities" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err.Error())
			}
			continue
		}
		seen = true
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return fail(fmt.Sprintf("%q is not a list", key))
		}
		for dec.More() {
			var a apiAlert
			if err := dec.Decode(&a); err != nil {
				return fail(err.Error())
			}
			if err := emit(done(fromAPI(tool, &a))); err != nil {
				return tool, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fail(err.Error())
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err.Error())
	}
	if !seen {
		return fail(`no "alerts" list`)
	}
	return tool, nil
}

func fromAPI(tool finding.Tool, a *apiAlert) *finding.Finding {
	f := &finding.Finding{Tool: tool, Category: finding.CategoryDAST, Properties: map[string]string{}}
	name := firstNonEmpty(a.Alert, a.Name)
	f.Rule = rule(a.PluginID, a.AlertRef, name, a.Description, a.Solution, a.Reference)
	f.OriginalSeverity = a.Risk
	if code, ok := riskCodes[strings.ToLower(strings.TrimSpace(a.Risk))]; ok {
		f.Severity, _ = finding.SeverityFromZAPRisk(code)
	} else {
		f.Severity = finding.SeverityInfo
		f.Properties["zap.severityNote"] = "risk missing or unknown; info assumed"
	}
	if c, ok := confidenceCodes[strings.ToLower(strings.TrimSpace(a.Confidence))]; ok {
		precision(f, c)
	}
	f.CWEs = cwe(a.CWEID)
	web(f, a.URL, a.Method, a.Param, a.Evidence, a.Attack)
	f.Message = message(name, a.URL, a.Param)
	f.Rule.Tags = slices.Sorted(maps.Keys(a.Tags))
	set(f, "zap.pluginId", a.PluginID)
	set(f, "zap.alertId", a.ID)
	set(f, "zap.messageId", a.MessageID)
	set(f, "zap.confidence", a.Confidence)
	set(f, "zap.wascid", a.WASCID)
	set(f, "zap.sourceid", a.SourceID)
	set(f, "zap.otherinfo", a.Other)
	return f
}
