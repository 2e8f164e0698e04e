package zap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// XMLAdapter reads ZAP's traditional XML report. Its name is "zap-xml".
type XMLAdapter struct{}

// Name returns "zap-xml".
func (XMLAdapter) Name() string { return "zap-xml" }

// Detect claims XML whose root element is OWASPZAPReport.
func (XMLAdapter) Detect(head []byte) bool { return bytes.Contains(head, []byte("<OWASPZAPReport")) }

type xmlSite struct {
	Name   string     `xml:"name,attr"`
	Host   string     `xml:"host,attr"`
	Port   string     `xml:"port,attr"`
	SSL    string     `xml:"ssl,attr"`
	Alerts []xmlAlert `xml:"alerts>alertitem"`
}

type xmlAlert struct {
	PluginID   string `xml:"pluginid"`
	AlertRef   string `xml:"alertRef"`
	Alert      string `xml:"alert"`
	Name       string `xml:"name"`
	RiskCode   string `xml:"riskcode"`
	Confidence string `xml:"confidence"`
	RiskDesc   string `xml:"riskdesc"`
	Desc       string `xml:"desc"`
	Instances  []struct {
		URI       string `xml:"uri"`
		Method    string `xml:"method"`
		Param     string `xml:"param"`
		Attack    string `xml:"attack"`
		Evidence  string `xml:"evidence"`
		OtherInfo string `xml:"otherinfo"`
	} `xml:"instances>instance"`
	// Reports older than instances put one URI in the alert item.
	URI       string `xml:"uri"`
	Param     string `xml:"param"`
	Attack    string `xml:"attack"`
	Evidence  string `xml:"evidence"`
	Count     string `xml:"count"`
	Solution  string `xml:"solution"`
	OtherInfo string `xml:"otherinfo"`
	Reference string `xml:"reference"`
	CWEID     string `xml:"cweid"`
	WASCID    string `xml:"wascid"`
	SourceID  string `xml:"sourceid"`
	Tags      []struct {
		Tag  string `xml:"tag"`
		Link string `xml:"link"`
	} `xml:"tags>tag"`
}

// Decode reads a ZAP traditional XML report, streaming one site at a
// time.
func (XMLAdapter) Decode(r io.Reader, name string, _ *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	const expected = "ZAP XML report"
	tool := finding.Tool{Name: "zap", InformationURI: "https://www.zaproxy.org"}
	dec := xml.NewDecoder(r)
	root := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !root {
				return tool, scanners.FormatError(name, expected, "no OWASPZAPReport element")
			}
			return tool, nil
		}
		if err != nil {
			return tool, scanners.FormatError(name, expected, err.Error())
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !root {
			if se.Name.Local != "OWASPZAPReport" {
				return tool, scanners.FormatError(name, expected, "root element is "+se.Name.Local)
			}
			root = true
			for _, a := range se.Attr {
				if a.Name.Local == "version" {
					tool.Version = a.Value
				}
			}
			continue
		}
		if se.Name.Local != "site" {
			if err := dec.Skip(); err != nil {
				return tool, scanners.FormatError(name, expected, err.Error())
			}
			continue
		}
		var s xmlSite
		if err := dec.DecodeElement(&s, &se); err != nil {
			return tool, scanners.FormatError(name, expected, err.Error())
		}
		st := site{Name: s.Name, Host: s.Host, Port: s.Port, SSL: s.SSL}
		for _, xa := range s.Alerts {
			a := alert{
				PluginID: xa.PluginID, AlertRef: xa.AlertRef, Alert: xa.Alert, Name: xa.Name,
				RiskCode: xa.RiskCode, Confidence: xa.Confidence, RiskDesc: xa.RiskDesc,
				Desc: xa.Desc, Solution: xa.Solution, OtherInfo: xa.OtherInfo, Reference: xa.Reference,
				CWEID: xa.CWEID, WASCID: xa.WASCID, SourceID: xa.SourceID, Count: xa.Count,
			}
			for _, t := range xa.Tags {
				a.Tags = append(a.Tags, tag{Tag: t.Tag, Link: t.Link})
			}
			var ins []instance
			for _, in := range xa.Instances {
				ins = append(ins, instance(in))
			}
			if len(ins) == 0 && xa.URI != "" {
				ins = append(ins, instance{URI: xa.URI, Param: xa.Param, Attack: xa.Attack, Evidence: xa.Evidence})
			}
			if len(ins) == 0 {
				if err := emit(done(fromAlert(tool, st, &a, nil))); err != nil {
					return tool, err
				}
			}
			for i := range ins {
				if err := emit(done(fromAlert(tool, st, &a, &ins[i]))); err != nil {
					return tool, err
				}
			}
		}
	}
}
