package sarifjson

import (
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Property bags and fingerprints have two types each, one for reading and
// one for writing, which is why [Result], [ReportingDescriptor],
// [ToolComponent] and [Tool] take them as type parameters. The reader
// takes any tool's properties, so it keeps each one's JSON text in a map
// ([Properties]) and its fingerprints in maps. The writer writes only
// scanmux's properties, in a fixed order, and 500,000 results must not
// allocate a map each: it uses typed structs ([ResultProperties],
// [RuleProperties]) whose declaration order is the output order, and
// sorted pairs ([Pairs]) for fingerprints.

// Properties is a property bag as the reader keeps it: each property's
// JSON text by name.
type Properties map[string]jsontext.Value

// AlsoReportedKey is the result property that lists the other tools'
// reports merged into a result by deduplication.
const AlsoReportedKey = "scanmux/alsoReportedBy"

// ResultProperties is a result's property bag as the writer writes it.
// Its fields are declared in the sorted order of their names, the order
// in which encoding/json writes a map's keys, so that the bag reads like a
// map with these keys.
type ResultProperties struct {
	Category         string             `json:"category"`
	CWE              []string           `json:"cwe,omitempty"`
	OriginalSeverity string             `json:"originalSeverity,omitempty"`
	Package          *PackageProperties `json:"package,omitempty"`
	Precision        string             `json:"precision,omitempty"`
	Resource         string             `json:"resource,omitempty"`
	AlsoReportedBy   []AlsoReported     `json:"scanmux/alsoReportedBy,omitempty"`
	Severity         string             `json:"severity"`
	ToolProperties   map[string]string  `json:"toolProperties,omitempty"`
	VulnerabilityIDs []string           `json:"vulnerabilityIds,omitempty"`
	Web              *WebProperties     `json:"web,omitempty"`
}

// WebProperties are the result properties that keep a location's web
// details.
type WebProperties struct {
	URL       string `json:"url"`
	Method    string `json:"method,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Evidence  string `json:"evidence,omitempty"`
}

// PackageProperties are the result properties that keep a location's
// package details.
type PackageProperties struct {
	Name         string `json:"name"`
	Version      string `json:"version,omitempty"`
	FixedVersion string `json:"fixedVersion,omitempty"`
	Ecosystem    string `json:"ecosystem,omitempty"`
	PURL         string `json:"purl,omitempty"`
	Image        string `json:"image,omitempty"`
	Layer        string `json:"layer,omitempty"`
}

// AlsoReported is one merged report in a result's properties.
type AlsoReported struct {
	Tool             string `json:"tool"`
	ToolVersion      string `json:"toolVersion,omitempty"`
	RuleID           string `json:"ruleId"`
	Severity         string `json:"severity"`
	OriginalSeverity string `json:"originalSeverity,omitempty"`
	Message          string `json:"message,omitempty"`
	Path             string `json:"path,omitempty"`
	StartLine        int    `json:"startLine,omitempty"`
	EndLine          int    `json:"endLine,omitempty"`
	Resource         string `json:"resource,omitempty"`
	URL              string `json:"url,omitempty"`
	Package          string `json:"package,omitempty"`
	Match            string `json:"match,omitempty"`
}

// RuleProperties is a rule's property bag as the writer writes it.
type RuleProperties struct {
	Tags             []string `json:"tags,omitempty"`
	Precision        string   `json:"precision,omitempty"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

// Pairs is a JSON object of string members in key order, as the writer
// writes fingerprints: unlike a map, it costs no allocation of its own.
type Pairs []Pair

// Pair is one member of a Pairs.
type Pair struct{ Key, Value string }

// Set sets key to value, keeping p in key order; the slice grows from a
// (see [Arena]).
func (p *Pairs) Set(a *Arena, key, value string) {
	i, found := slices.BinarySearchFunc(*p, key, func(e Pair, k string) int { return strings.Compare(e.Key, k) })
	if found {
		(*p)[i].Value = value
		return
	}
	if len(*p) == cap(*p) {
		grown := a.Pairs(2*len(*p) + 2)[:len(*p)]
		copy(grown, *p)
		*p = grown
	}
	*p = slices.Insert(*p, i, Pair{key, value})
}

// MarshalJSON writes p as an object, as encoding/json writes a
// map[string]string.
func (p Pairs) MarshalJSON() ([]byte, error) {
	e := Encoder{Compact: true}
	e.pairs(p)
	return e.Buf, nil
}
