package zap

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// JSONAdapter reads ZAP's traditional JSON report. Its name is "zap-json".
type JSONAdapter struct{}

// Name returns "zap-json".
func (JSONAdapter) Name() string { return "zap-json" }

var reJSONHead = regexp.MustCompile(`^\s*\{\s*"@(programName|version|generated)"\s*:`)

// Detect claims an object that starts with ZAP's "@programName",
// "@version" or "@generated" key.
func (JSONAdapter) Detect(head []byte) bool {
	return reJSONHead.Match(head) && (bytes.Contains(head, []byte(`"site"`)) || bytes.Contains(head, []byte(`"@programName"`)) ||
		len(head) < 200)
}

type jsonReport struct {
	Version *string         `json:"@version"`
	Site    json.RawMessage `json:"site"`
}

type jsonSite struct {
	Name   string      `json:"@name"`
	Host   string      `json:"@host"`
	Port   string      `json:"@port"`
	SSL    string      `json:"@ssl"`
	Alerts []jsonAlert `json:"alerts"`
}

type jsonAlert struct {
	PluginID   string         `json:"pluginid"`
	AlertRef   string         `json:"alertRef"`
	Alert      string         `json:"alert"`
	Name       string         `json:"name"`
	RiskCode   string         `json:"riskcode"`
	Confidence string         `json:"confidence"`
	RiskDesc   string         `json:"riskdesc"`
	Desc       string         `json:"desc"`
	Instances  []jsonInstance `json:"instances"`
	Count      string         `json:"count"`
	Solution   string         `json:"solution"`
	OtherInfo  string         `json:"otherinfo"`
	Reference  string         `json:"reference"`
	CWEID      string         `json:"cweid"`
	WASCID     string         `json:"wascid"`
	SourceID   string         `json:"sourceid"`
	Tags       []struct {
		Tag  string `json:"tag"`
		Link string `json:"link"`
	} `json:"tags"`
}

type jsonInstance struct {
	URI       string `json:"uri"`
	Method    string `json:"method"`
	Param     string `json:"param"`
	Attack    string `json:"attack"`
	Evidence  string `json:"evidence"`
	OtherInfo string `json:"otherinfo"`
}

// Decode reads a ZAP traditional JSON report, one document read whole.
func (JSONAdapter) Decode(r io.Reader, name string, _ *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	const expected = "ZAP traditional JSON report"
	tool := finding.Tool{Name: "zap", InformationURI: "https://www.zaproxy.org"}
	var rep jsonReport
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if rep.Version == nil || rep.Site == nil {
		return tool, scanners.FormatError(name, expected, `no "@version" and "site"`)
	}
	tool.Version = *rep.Version
	var sites []jsonSite
	if err := json.Unmarshal(rep.Site, &sites); err != nil {
		var one jsonSite
		if err := json.Unmarshal(rep.Site, &one); err != nil {
			return tool, scanners.FormatError(name, expected, `"site": `+err.Error())
		}
		sites = []jsonSite{one}
	}
	for _, s := range sites {
		st := site{Name: s.Name, Host: s.Host, Port: s.Port, SSL: s.SSL}
		for _, ja := range s.Alerts {
			a := alert{
				PluginID: ja.PluginID, AlertRef: ja.AlertRef, Alert: ja.Alert, Name: ja.Name,
				RiskCode: ja.RiskCode, Confidence: ja.Confidence, RiskDesc: ja.RiskDesc,
				Desc: ja.Desc, Solution: ja.Solution, OtherInfo: ja.OtherInfo, Reference: ja.Reference,
				CWEID: ja.CWEID, WASCID: ja.WASCID, SourceID: ja.SourceID, Count: ja.Count,
			}
			for _, t := range ja.Tags {
				a.Tags = append(a.Tags, tag{Tag: t.Tag, Link: t.Link})
			}
			if len(ja.Instances) == 0 {
				if err := emit(done(fromAlert(tool, st, &a, nil))); err != nil {
					return tool, err
				}
			}
			for _, in := range ja.Instances {
				i := instance(in)
				if err := emit(done(fromAlert(tool, st, &a, &i))); err != nil {
					return tool, err
				}
			}
		}
	}
	return tool, nil
}
