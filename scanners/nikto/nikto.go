// Package nikto reads the XML report of the Nikto web server scanner
// (nikto -Format xml) into scanmux findings.
//
// The adapter, "nikto-xml", reads the report as Nikto's templates write it
// (program/templates/xml_*.tmpl and nikto.dtd, nxmlversion 1.2): a
// niktoscans root with one niktoscan per run, each with a scandetails
// element per target host (attributes targetip, targethostname,
// targetport, targetbanner, sitename, siteip) holding item elements (id and
// method attributes; description, uri, namelink, iplink and references
// children). It also reads the older layout of Nikto 2.1, whose root is a
// niktoscan element and whose items carry osvdbid and osvdblink attributes.
//
// Every item is one finding of category dast: Rule.ID is the item id (the
// Nikto test id), Message the description, Location.Web.URL the namelink
// (else the site name joined with the URI) and Web.Method the method.
// VulnIDs hold the OSVDB id ("OSVDB-3092") when it is not 0 and the CVE ids
// the description or references mention.
//
// Nikto rates nothing, so every finding has severity medium and no
// OriginalSeverity; the property "nikto.severityNote" says so.
package nikto

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// Adapters returns the nikto-xml adapter.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Nikto XML reports. Its name is "nikto-xml".
type Adapter struct{}

// Name returns "nikto-xml".
func (Adapter) Name() string { return "nikto-xml" }

const expected = "Nikto XML report"

// Detect claims XML with a niktoscans or niktoscan element (or DOCTYPE).
func (Adapter) Detect(head []byte) bool {
	return bytes.Contains(head, []byte("<niktoscan")) || bytes.Contains(head, []byte("DOCTYPE niktoscan"))
}

type scanDetails struct {
	TargetIP       string `xml:"targetip,attr"`
	TargetHostname string `xml:"targethostname,attr"`
	TargetPort     string `xml:"targetport,attr"`
	TargetBanner   string `xml:"targetbanner,attr"`
	SiteName       string `xml:"sitename,attr"`
	SiteIP         string `xml:"siteip,attr"`
	Items          []item `xml:"item"`
}

type item struct {
	ID          string `xml:"id,attr"`
	OSVDBID     string `xml:"osvdbid,attr"`
	OSVDBLink   string `xml:"osvdblink,attr"`
	Method      string `xml:"method,attr"`
	Description string `xml:"description"`
	URI         string `xml:"uri"`
	NameLink    string `xml:"namelink"`
	IPLink      string `xml:"iplink"`
	References  string `xml:"references"`
}

// Decode reads a Nikto XML report, one scandetails element at a time.
func (Adapter) Decode(r io.Reader, name string, _ *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "nikto", InformationURI: "https://github.com/sullo/nikto"}
	dec := xml.NewDecoder(r)
	root := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !root {
				return tool, scanners.FormatError(name, expected, "no niktoscan element")
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
		switch se.Name.Local {
		case "niktoscans":
			root = true
		case "niktoscan":
			root = true
			for _, a := range se.Attr {
				if a.Name.Local == "version" && tool.Version == "" {
					tool.Version = a.Value
				}
			}
		case "scandetails":
			if !root {
				return tool, scanners.FormatError(name, expected, "scandetails outside niktoscan")
			}
			var sd scanDetails
			if err := dec.DecodeElement(&sd, &se); err != nil {
				return tool, scanners.FormatError(name, expected, err.Error())
			}
			for i := range sd.Items {
				if err := emit(convert(tool, &sd, &sd.Items[i])); err != nil {
					return tool, err
				}
			}
		default:
			if !root {
				return tool, scanners.FormatError(name, expected, "root element is "+se.Name.Local)
			}
		}
	}
}

var reCVE = regexp.MustCompile(`CVE-\d{4}-\d{4,}`)

func convert(tool finding.Tool, sd *scanDetails, it *item) *finding.Finding {
	f := &finding.Finding{Tool: tool, Category: finding.CategoryDAST, Severity: finding.SeverityMedium,
		Properties: map[string]string{"nikto.severityNote": "Nikto gives no severity; medium assumed"}}
	desc := strings.TrimSpace(it.Description)
	f.Rule = finding.Rule{ID: firstNonEmpty(strings.TrimSpace(it.ID), "nikto")}
	if it.OSVDBLink != "" && it.OSVDBID != "0" {
		f.Rule.HelpURI = it.OSVDBLink
	}
	f.Message = firstNonEmpty(desc, "Nikto item "+f.Rule.ID)
	if id := strings.TrimSpace(it.OSVDBID); id != "" && id != "0" {
		f.VulnIDs = append(f.VulnIDs, "OSVDB-"+id)
	}
	for _, c := range reCVE.FindAllString(desc+" "+it.References, -1) {
		if !slices.Contains(f.VulnIDs, c) {
			f.VulnIDs = append(f.VulnIDs, c)
		}
	}
	u := strings.TrimSpace(it.NameLink)
	if u == "" {
		u = join(sd.SiteName, it.URI)
	}
	if u == "" {
		u = "(unknown URL)"
		f.Properties["nikto.urlNote"] = "the item gives no URL"
	}
	f.Location.Web = &finding.Web{URL: u, Method: strings.TrimSpace(it.Method)}
	set(f, "nikto.uri", it.URI)
	set(f, "nikto.iplink", it.IPLink)
	set(f, "nikto.references", strings.TrimSpace(it.References))
	set(f, "nikto.targetip", sd.TargetIP)
	set(f, "nikto.targethostname", sd.TargetHostname)
	set(f, "nikto.targetport", sd.TargetPort)
	set(f, "nikto.targetbanner", sd.TargetBanner)
	return f
}

// join resolves a URI against the site name.
func join(site, uri string) string {
	if site == "" {
		return uri
	}
	base, err := url.Parse(site)
	if err != nil || uri == "" {
		return site
	}
	ref, err := url.Parse(uri)
	if err != nil {
		return strings.TrimSuffix(site, "/") + uri
	}
	return base.ResolveReference(ref).String()
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
