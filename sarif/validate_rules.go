package sarif

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/scanmux/scanmux/sarif/internal/gzipsize"
)

// validation collects the problems of one log, walking the decoded JSON
// (objects are map[string]any, numbers json.Number). Every check tolerates
// values of the wrong type: the schema reports those.
type validation struct {
	problems []Problem
}

func (v *validation) add(path, rule, level, msg string) {
	v.problems = append(v.problems, Problem{Path: path, Rule: rule, Message: msg, Level: level})
}

var printer = message.NewPrinter(language.English)

// schemaProblems adds one problem per leaf of the validation error tree.
func (v *validation) schemaProblems(e *jsonschema.ValidationError) {
	if len(e.Causes) == 0 {
		v.add(pointer(e.InstanceLocation), "SCHEMA", "error", e.ErrorKind.LocalizedString(printer))
		return
	}
	for _, c := range e.Causes {
		v.schemaProblems(c)
	}
}

func obj(x any) map[string]any { m, _ := x.(map[string]any); return m }
func arr(x any) []any          { a, _ := x.([]any); return a }
func str(x any) string         { s, _ := x.(string); return s }

// num returns x as an int64 and whether it is an integer.
func num(x any) (int64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

func at(path string, tokens ...any) string {
	for _, t := range tokens {
		path += "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(fmt.Sprint(t))
	}
	return path
}

var placeholderRE = regexp.MustCompile(`\{[0-9]+\}`)

func (v *validation) log(doc any, data []byte) {
	root := obj(doc)
	if root == nil {
		return
	}
	if s := str(root["$schema"]); s == "" {
		v.add("", "GH1013", "error", "the log has no $schema; GitHub requires the SARIF 2.1.0 schema URI")
	} else if !strings.Contains(s, "2.1.0") {
		v.add("/$schema", "GH1013", "error", fmt.Sprintf("$schema %q is not a SARIF 2.1.0 schema", s))
	}
	runs := arr(root["runs"])
	lim := GitHubLimits
	if overLimit(len(runs), lim.MaxRuns) {
		v.add("/runs", "GH1004", "error", fmt.Sprintf("%d runs, over GitHub's limit of %d per file", len(runs), lim.MaxRuns))
	}
	if gz, err := gzipsize.Size(data); err == nil && overLimit(gz, lim.MaxGzipBytes) {
		v.add("", "GH1004", "error", fmt.Sprintf("%d bytes gzip-compressed, over GitHub's limit of %d", gz, lim.MaxGzipBytes))
	} else if err == nil && overLimit(gz, lim.gzipBudget()) {
		v.add("", "GH1004", "warning", fmt.Sprintf("%d bytes gzip-compressed by compress/gzip, within %g%% of GitHub's limit of %d: the uploader's zlib may go over", gz, lim.GzipMargin*100, lim.MaxGzipBytes))
	}
	for i, r := range runs {
		v.run(obj(r), at("/runs", i))
	}
}

func (v *validation) run(run map[string]any, path string) {
	if run == nil {
		return
	}
	lim := GitHubLimits
	rules := arr(obj(obj(run["tool"])["driver"])["rules"])
	rulesPath := path + "/tool/driver/rules"
	if overLimit(len(rules), lim.MaxRulesPerRun) {
		v.add(rulesPath, "GH1004", "error", fmt.Sprintf("%d rules, over GitHub's limit of %d per run", len(rules), lim.MaxRulesPerRun))
	}
	for i, r := range rules {
		rule := obj(r)
		if rule == nil {
			continue
		}
		if _, present := rule["shortDescription"]; present && rule["shortDescription"] == nil {
			// A JSON null: the schema reports it; GitHub sees no description.
			v.add(at(rulesPath, i), "GH2012", "error", "rule has no shortDescription.text (GitHub requires it)")
		} else if str(obj(rule["shortDescription"])["text"]) == "" {
			v.add(at(rulesPath, i), "GH2012", "error", "rule has no shortDescription.text (GitHub requires it)")
		}
		tags := arr(obj(rule["properties"])["tags"])
		if overLimit(len(tags), lim.MaxTagsPerRule) {
			v.add(at(rulesPath, i, "properties", "tags"), "GH1004", "error",
				fmt.Sprintf("%d tags, over GitHub's limit of %d per rule", len(tags), lim.MaxTagsPerRule))
		}
	}

	for name, b := range obj(run["originalUriBaseIds"]) {
		if u := str(obj(b)["uri"]); u != "" && !strings.HasSuffix(u, "/") {
			v.add(at(path, "originalUriBaseIds", name, "uri"), "SARIF1004", "error",
				fmt.Sprintf("uri %q of uriBaseId %q does not end with \"/\"", u, name))
		}
	}
	var workDirs []string
	for _, inv := range arr(run["invocations"]) {
		if u := str(obj(obj(inv)["workingDirectory"])["uri"]); u != "" {
			workDirs = append(workDirs, strings.TrimSuffix(u, "/")+"/")
		}
	}

	results := arr(run["results"])
	if overLimit(len(results), lim.MaxResultsPerRun) {
		v.add(path+"/results", "GH1004", "error", fmt.Sprintf("%d results, over GitHub's limit of %d per run", len(results), lim.MaxResultsPerRun))
	}
	for i, r := range results {
		v.result(obj(r), at(path, "results", i), rules, workDirs)
	}
}

func (v *validation) result(res map[string]any, path string, rules []any, workDirs []string) {
	if res == nil {
		return
	}
	msg := obj(res["message"])
	if str(msg["text"]) == "" {
		v.add(path+"/message", "GH1015", "error", "result message has no text (GitHub requires message.text)")
	} else if placeholderRE.MatchString(str(msg["text"])) && len(arr(msg["arguments"])) == 0 {
		v.add(path+"/message/text", "GH1007", "warning", "message text has unfilled placeholders such as {0}; GitHub shows them as written")
	}

	rule := v.resultRule(res, path, rules)
	if mid := str(msg["id"]); mid != "" && obj(obj(rule)["messageStrings"])[mid] == nil {
		v.add(path+"/message/id", "SARIF1012", "error", fmt.Sprintf("message id %q is not defined by the rule's messageStrings", mid))
	}
	v.resultLocations(res, path, workDirs)
}

// resultRule returns the rule a result refers to by ruleIndex or ruleId,
// or nil, checking that the index is in range and agrees with the id.
func (v *validation) resultRule(res map[string]any, path string, rules []any) map[string]any {
	var rule map[string]any
	if idx, ok := num(res["ruleIndex"]); ok && idx >= 0 {
		if idx >= int64(len(rules)) {
			v.add(path+"/ruleIndex", "SARIF1009", "error",
				fmt.Sprintf("ruleIndex %d, but tool.driver.rules has %d elements", idx, len(rules)))
		} else {
			rule = obj(rules[idx])
			if id, rid := str(res["ruleId"]), str(rule["id"]); id != "" && rid != "" && id != rid && !strings.HasPrefix(id, rid+"/") {
				v.add(path+"/ruleId", "SARIF1010", "warning", fmt.Sprintf("ruleId %q differs from rules[%d].id %q", id, idx, rid))
			}
		}
	} else if id := str(res["ruleId"]); id != "" {
		for _, r := range rules {
			if str(obj(r)["id"]) == id {
				rule = obj(r)
				break
			}
		}
	}
	return rule
}

// resultLocations checks a result's locations, related locations and
// code flows, and GitHub's limits on their numbers.
func (v *validation) resultLocations(res map[string]any, path string, workDirs []string) {
	lim := GitHubLimits

	locs, hasLocs := res["locations"]
	switch {
	case !hasLocs:
		v.add(path, "GH1015", "error", "result has no locations (GitHub rejects results without a physical location)")
	case len(arr(locs)) == 0:
		v.add(path+"/locations", "GH1015", "error", "result has an empty locations array (GitHub rejects results without a physical location)")
	}
	if overLimit(len(arr(locs)), lim.MaxLocationsPerResult) {
		v.add(path+"/locations", "GH1004", "error", fmt.Sprintf("%d locations, over GitHub's limit of %d per result", len(arr(locs)), lim.MaxLocationsPerResult))
	}
	for i, l := range arr(locs) {
		lp := at(path, "locations", i)
		if !v.location(obj(l), lp, workDirs) {
			v.add(lp, "GH1001", "error", "location has no physicalLocation.artifactLocation.uri (GitHub rejects the file: \"expected a physical location\")")
		}
	}
	related := arr(res["relatedLocations"])
	if overLimit(len(related), lim.MaxLocationsPerResult) {
		v.add(path+"/relatedLocations", "GH1004", "error", fmt.Sprintf("%d related locations, over GitHub's limit of %d per result", len(related), lim.MaxLocationsPerResult))
	}
	for i, l := range related {
		lp := at(path, "relatedLocations", i)
		if !v.location(obj(l), lp, workDirs) {
			v.add(lp, "GH1001", "warning", "related location has no physicalLocation.artifactLocation.uri; GitHub cannot link it")
		}
	}

	steps := 0
	for i, cf := range arr(res["codeFlows"]) {
		for j, tf := range arr(obj(cf)["threadFlows"]) {
			for k, tfl := range arr(obj(tf)["locations"]) {
				steps++
				tp := at(path, "codeFlows", i, "threadFlows", j, "locations", k)
				if _, has := obj(tfl)["index"]; has {
					v.add(tp+"/index", "GH1002", "error", "threadFlowLocation refers to run.threadFlowLocations by index; GitHub needs it inline")
				}
				if l := obj(obj(tfl)["location"]); l != nil {
					v.location(l, tp+"/location", workDirs)
				}
			}
		}
	}
	if overLimit(steps, lim.MaxThreadFlowLocationsPerResult) {
		v.add(path+"/codeFlows", "GH1004", "error", fmt.Sprintf("%d thread flow locations, over GitHub's limit of %d per result", steps, lim.MaxThreadFlowLocationsPerResult))
	}
}

// location checks one location and reports whether it has a physical
// location with a URI.
func (v *validation) location(l map[string]any, path string, workDirs []string) bool {
	pl := obj(l["physicalLocation"])
	if pl == nil {
		return false
	}
	ppath := path + "/physicalLocation"
	al := obj(pl["artifactLocation"])
	u := str(al["uri"])
	if region, ok := pl["region"]; !ok {
		v.add(ppath, "GH1003", "warning", "physical location has no region; GitHub needs region.startLine to show the code")
	} else {
		v.region(obj(region), ppath+"/region")
	}
	if u == "" {
		return false
	}
	parsed, err := url.Parse(u)
	if err != nil || !parsed.IsAbs() {
		return true // relative: what GitHub wants (the schema checks the format)
	}
	upath := ppath + "/artifactLocation/uri"
	if parsed.Scheme != "file" {
		v.add(upath, "GH1005", "error", fmt.Sprintf("URI %q is not a file path; GitHub rejects the file (\"unrecognized SARIF location URI scheme\")", u))
		return true
	}
	if str(al["uriBaseId"]) != "" {
		v.add(path+"/physicalLocation/artifactLocation", "SARIF1004", "error", "an absolute URI must not have a uriBaseId")
	}
	for _, wd := range workDirs {
		if strings.HasPrefix(u, wd) {
			return true
		}
	}
	v.add(upath, "GH1006", "warning", fmt.Sprintf("absolute URI %q is outside every invocations[].workingDirectory; GitHub cannot make it repository-relative", u))
	return true
}

func (v *validation) region(r map[string]any, path string) {
	if r == nil {
		return
	}
	sl, hasSL := num(r["startLine"])
	_, hasCO := r["charOffset"]
	_, hasBO := r["byteOffset"]
	if !hasSL && !hasCO && !hasBO {
		v.add(path, "SARIF1007", "error", "region has no startLine, charOffset or byteOffset")
		return
	}
	if !hasSL {
		return
	}
	el, hasEL := num(r["endLine"])
	if hasEL && el < sl {
		v.add(path+"/endLine", "SARIF1007", "error", "endLine "+strconv.FormatInt(el, 10)+" is before startLine "+strconv.FormatInt(sl, 10))
		return
	}
	sc, hasSC := num(r["startColumn"])
	ec, hasEC := num(r["endColumn"])
	if (!hasEL || el == sl) && hasSC && hasEC && ec < sc {
		v.add(path+"/endColumn", "SARIF1007", "error", "endColumn "+strconv.FormatInt(ec, 10)+" is before startColumn "+strconv.FormatInt(sc, 10)+" on one line")
	}
}
