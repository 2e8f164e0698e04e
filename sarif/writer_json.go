package sarif

import (
	"slices"
	"strings"
)

// The SARIF objects the writer emits.
//
// The writer uses its own structs rather than go-sarif's: every optional
// field is omitted when empty (go-sarif v2.3.3 writes JSON null for unset
// shortDescription and suppression fields, which the schema rejects), the
// field order is fixed by these declarations and maps are written with
// sorted keys, so the output is byte-for-byte deterministic. Results are
// encoded by hand (writer_encode.go) into exactly the bytes that
// encoding/json writes for these structs; everything else by
// encoding/json. Fields that may legitimately be 0 (ruleIndex) are not
// omitempty.

type outRun struct {
	Tool                     outTool                   `json:"tool"`
	Invocations              []outInvocation           `json:"invocations,omitempty"`
	OriginalURIBaseIDs       map[string]outArtifactLoc `json:"originalUriBaseIds,omitempty"`
	AutomationDetails        *outAutomation            `json:"automationDetails,omitempty"`
	VersionControlProvenance []outVersionControl       `json:"versionControlProvenance,omitempty"`
	// Results is never omitted: an empty array is how GitHub learns that
	// a tool found nothing and closes the alerts it had opened.
	Results []outResult `json:"results"`
}

type outTool struct {
	Driver outDriver `json:"driver"`
}

type outDriver struct {
	Name            string    `json:"name"`
	FullName        string    `json:"fullName,omitempty"`
	Version         string    `json:"version,omitempty"`
	SemanticVersion string    `json:"semanticVersion,omitempty"`
	InformationURI  string    `json:"informationUri,omitempty"`
	Rules           []outRule `json:"rules"`
}

type outRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription outText        `json:"shortDescription"`
	FullDescription  outText        `json:"fullDescription"`
	Help             outMultiformat `json:"help"`
	HelpURI          string         `json:"helpUri,omitempty"`
	DefaultConfig    *outRuleConfig `json:"defaultConfiguration,omitempty"`
	Properties       *outRuleProps  `json:"properties,omitempty"`
}

type outRuleConfig struct {
	Level string `json:"level"`
}

type outRuleProps struct {
	Tags             []string `json:"tags,omitempty"`
	Precision        string   `json:"precision,omitempty"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

type outText struct {
	Text string `json:"text"`
}

type outMultiformat struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type outInvocation struct {
	ExecutionSuccessful bool              `json:"executionSuccessful"`
	StartTimeUTC        string            `json:"startTimeUtc,omitempty"`
	EndTimeUTC          string            `json:"endTimeUtc,omitempty"`
	Notifications       []outNotification `json:"toolExecutionNotifications,omitempty"`
}

type outNotification struct {
	Level   string  `json:"level"`
	Message outText `json:"message"`
}

type outAutomation struct {
	ID string `json:"id"`
}

type outVersionControl struct {
	RepositoryURI string          `json:"repositoryUri"`
	RevisionID    string          `json:"revisionId,omitempty"`
	Branch        string          `json:"branch,omitempty"`
	MappedTo      *outArtifactLoc `json:"mappedTo,omitempty"`
}

type outArtifactLoc struct {
	URI         string   `json:"uri,omitempty"`
	URIBaseID   string   `json:"uriBaseId,omitempty"`
	Description *outText `json:"description,omitempty"`
}

type outResult struct {
	RuleID              string           `json:"ruleId"`
	RuleIndex           int              `json:"ruleIndex"`
	Level               string           `json:"level"`
	Message             outText          `json:"message"`
	Locations           []outLocation    `json:"locations,omitempty"`
	RelatedLocations    []outLocation    `json:"relatedLocations,omitempty"`
	CodeFlows           []outCodeFlow    `json:"codeFlows,omitempty"`
	PartialFingerprints stringPairs      `json:"partialFingerprints,omitempty"`
	Suppressions        []outSuppression `json:"suppressions,omitempty"`
	BaselineState       string           `json:"baselineState,omitempty"`
	Properties          *outResultProps  `json:"properties,omitempty"`
}

// outResultProps is a result's property bag. Its fields are declared in
// the sorted order of their names, the order in which encoding/json writes
// a map's keys, so that the bag reads like a map with these keys.
type outResultProps struct {
	Category         string            `json:"category"`
	CWE              []string          `json:"cwe,omitempty"`
	OriginalSeverity string            `json:"originalSeverity,omitempty"`
	Package          *packageProps     `json:"package,omitempty"`
	Precision        string            `json:"precision,omitempty"`
	Resource         string            `json:"resource,omitempty"`
	AlsoReportedBy   []alsoProps       `json:"scanmux/alsoReportedBy,omitempty"`
	Severity         string            `json:"severity"`
	ToolProperties   map[string]string `json:"toolProperties,omitempty"`
	VulnerabilityIDs []string          `json:"vulnerabilityIds,omitempty"`
	Web              *webProps         `json:"web,omitempty"`
}

type outLocation struct {
	ID               int                  `json:"id,omitempty"`
	PhysicalLocation *outPhysical         `json:"physicalLocation,omitempty"`
	LogicalLocations []outLogicalLocation `json:"logicalLocations,omitempty"`
	Message          *outText             `json:"message,omitempty"`
}

type outPhysical struct {
	ArtifactLocation outArtifactLoc `json:"artifactLocation"`
	Region           *outRegion     `json:"region,omitempty"`
}

type outRegion struct {
	StartLine   int      `json:"startLine"`
	StartColumn int      `json:"startColumn,omitempty"`
	EndLine     int      `json:"endLine,omitempty"`
	EndColumn   int      `json:"endColumn,omitempty"`
	Snippet     *outText `json:"snippet,omitempty"`
}

type outLogicalLocation struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

type outCodeFlow struct {
	Message     *outText        `json:"message,omitempty"`
	ThreadFlows []outThreadFlow `json:"threadFlows"`
}

type outThreadFlow struct {
	Locations []outThreadFlowLocation `json:"locations"`
}

type outThreadFlowLocation struct {
	Location outLocation `json:"location"`
}

type outSuppression struct {
	Kind          string            `json:"kind"`
	Status        string            `json:"status"`
	Justification string            `json:"justification,omitempty"`
	Properties    map[string]string `json:"properties,omitempty"`
}

// stringPairs is a JSON object of string members in key order. Results
// hold their fingerprints in one instead of a map, which every result
// would allocate.
type stringPairs []stringPair

// stringPair is one member of a stringPairs.
type stringPair struct{ key, value string }

// set sets key to value, keeping p in key order; the slice grows from a
// (see [arena]).
func (p *stringPairs) set(a *arena, key, value string) {
	i, found := slices.BinarySearchFunc(*p, key, func(e stringPair, k string) int { return strings.Compare(e.key, k) })
	if found {
		(*p)[i].value = value
		return
	}
	if len(*p) == cap(*p) {
		grown := newPairs(a, 2*len(*p)+2)[:len(*p)]
		copy(grown, *p)
		*p = grown
	}
	*p = slices.Insert(*p, i, stringPair{key, value})
}

// MarshalJSON writes p as an object, as encoding/json writes a
// map[string]string.
func (p stringPairs) MarshalJSON() ([]byte, error) {
	e := jsonEnc{compact: true}
	e.pairs(p)
	return e.buf, nil
}
