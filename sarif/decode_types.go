package sarif

import "github.com/go-json-experiment/json/jsontext"

// The x* types hold the subset of SARIF 2.1.0 that the reader needs. They
// are decoded one result at a time with json.UnmarshalDecode; members not
// listed here are skipped without being kept.

type xProps map[string]jsontext.Value

type xMessage struct {
	Text      string   `json:"text"`
	Markdown  string   `json:"markdown"`
	ID        string   `json:"id"`
	Arguments []string `json:"arguments"`
}

type xArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
	Index     *int   `json:"index"`
}

type xSnippet struct {
	Text string `json:"text"`
}

// Members that may be absent are values rather than pointers where the
// zero value means the same as absent: fewer allocations per result.

type xRegion struct {
	StartLine   int      `json:"startLine"`
	StartColumn int      `json:"startColumn"`
	EndLine     int      `json:"endLine"`
	EndColumn   int      `json:"endColumn"`
	Snippet     xSnippet `json:"snippet"`
}

type xPhysical struct {
	ArtifactLocation xArtifactLocation `json:"artifactLocation"`
	Region           xRegion           `json:"region"`
	ContextRegion    xRegion           `json:"contextRegion"`
}

type xLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	DecoratedName      string `json:"decoratedName"`
	Kind               string `json:"kind"`
	Index              *int   `json:"index"`
}

type xLocation struct {
	PhysicalLocation xPhysical  `json:"physicalLocation"`
	LogicalLocations []xLogical `json:"logicalLocations"`
	Message          *xMessage  `json:"message"`
}

type xThreadFlowLocation struct {
	Location *xLocation `json:"location"`
	Index    *int       `json:"index"`
}

type xThreadFlow struct {
	Message   *xMessage             `json:"message"`
	Locations []xThreadFlowLocation `json:"locations"`
}

type xCodeFlow struct {
	Message     *xMessage     `json:"message"`
	ThreadFlows []xThreadFlow `json:"threadFlows"`
}

type xSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type xComponentRef struct {
	Name  string `json:"name"`
	Index *int   `json:"index"`
	GUID  string `json:"guid"`
}

// xRef is a reportingDescriptorReference (result.rule, result.taxa,
// relationship targets).
type xRef struct {
	ID            string         `json:"id"`
	Index         *int           `json:"index"`
	GUID          string         `json:"guid"`
	ToolComponent *xComponentRef `json:"toolComponent"`
}

type xWebRequest struct {
	Target     string            `json:"target"`
	Method     string            `json:"method"`
	Parameters map[string]string `json:"parameters"`
}

type xResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex"`
	Rule                *xRef             `json:"rule"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             xMessage          `json:"message"`
	Locations           []xLocation       `json:"locations"`
	RelatedLocations    []xLocation       `json:"relatedLocations"`
	CodeFlows           []xCodeFlow       `json:"codeFlows"`
	Fingerprints        map[string]string `json:"fingerprints"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []xSuppression    `json:"suppressions"`
	Taxa                []xRef            `json:"taxa"`
	WebRequest          *xWebRequest      `json:"webRequest"`
	Properties          xProps            `json:"properties"`
}

type xMultiformat struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type xConfiguration struct {
	Level string `json:"level"`
}

type xRelationship struct {
	Target xRef     `json:"target"`
	Kinds  []string `json:"kinds"`
}

type xRule struct {
	ID                   string                  `json:"id"`
	Name                 string                  `json:"name"`
	ShortDescription     *xMultiformat           `json:"shortDescription"`
	FullDescription      *xMultiformat           `json:"fullDescription"`
	Help                 *xMultiformat           `json:"help"`
	HelpURI              string                  `json:"helpUri"`
	DefaultConfiguration *xConfiguration         `json:"defaultConfiguration"`
	Properties           xProps                  `json:"properties"`
	Relationships        []xRelationship         `json:"relationships"`
	MessageStrings       map[string]xMultiformat `json:"messageStrings"`
}

type xTaxon struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	GUID string `json:"guid"`
}

type xComponent struct {
	Name            string   `json:"name"`
	FullName        string   `json:"fullName"`
	Version         string   `json:"version"`
	SemanticVersion string   `json:"semanticVersion"`
	InformationURI  string   `json:"informationUri"`
	GUID            string   `json:"guid"`
	Rules           []xRule  `json:"rules"`
	Taxa            []xTaxon `json:"taxa"`
}

type xTool struct {
	Driver     *xComponent  `json:"driver"`
	Extensions []xComponent `json:"extensions"`
}

type xArtifact struct {
	Location *xArtifactLocation `json:"location"`
}

type xNotification struct {
	Level   string   `json:"level"`
	Message xMessage `json:"message"`
}

type xInvocation struct {
	ExecutionSuccessful        *bool           `json:"executionSuccessful"`
	ToolExecutionNotifications []xNotification `json:"toolExecutionNotifications"`
	StartTimeUTC               string          `json:"startTimeUtc"`
	EndTimeUTC                 string          `json:"endTimeUtc"`
}

type xAutomationDetails struct {
	ID string `json:"id"`
}
