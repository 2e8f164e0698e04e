package sarifjson

// The SARIF 2.1.0 objects, with the members the reader reads and those
// the writer writes. Member names follow the SARIF specification; the
// declaration order is the order in which the writer writes members (the
// reader does not depend on it). Members only the reader reads are
// omitempty, so the writer, which leaves them empty, does not write them;
// members only the writer writes have a Written* type, which decoding
// skips (written.go). Where a member may be absent, a value rather than a
// pointer holds it when its zero value means the same as absent, and is
// omitzero: fewer allocations per result, for the reader and the writer.

// Message is a message object; the writer sets only Text.
type Message struct {
	Text      string   `json:"text"`
	Markdown  string   `json:"markdown,omitempty"`
	ID        string   `json:"id,omitempty"`
	Arguments []string `json:"arguments,omitempty"`
}

// MultiformatMessageString is a rule's description or help.
type MultiformatMessageString struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// ArtifactLocation is a file's URI, maybe relative to a base id.
type ArtifactLocation struct {
	URI         string      `json:"uri,omitempty"`
	URIBaseID   string      `json:"uriBaseId,omitempty"`
	Index       *int        `json:"index,omitempty"`
	Description WrittenText `json:"description,omitzero"`
}

// ArtifactContent is a region's snippet.
type ArtifactContent struct {
	Text string `json:"text"`
}

// Region is a part of a file. The writer always sets StartLine.
type Region struct {
	StartLine   int             `json:"startLine"`
	StartColumn int             `json:"startColumn,omitempty"`
	EndLine     int             `json:"endLine,omitempty"`
	EndColumn   int             `json:"endColumn,omitempty"`
	Snippet     ArtifactContent `json:"snippet,omitzero"`
}

// PhysicalLocation is a place in a file; the zero value is none.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           Region           `json:"region,omitzero"`
	ContextRegion    Region           `json:"contextRegion,omitzero"`
}

// LogicalLocation names what a location is besides a file.
type LogicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	DecoratedName      string `json:"decoratedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
	Index              *int   `json:"index,omitempty"`
}

// Location is a result's location, related location or code flow step.
type Location struct {
	ID               WrittenInt        `json:"id,omitempty"`
	PhysicalLocation PhysicalLocation  `json:"physicalLocation,omitzero"`
	LogicalLocations []LogicalLocation `json:"logicalLocations,omitempty"`
	Message          *Message          `json:"message,omitempty"`
}

// ThreadFlowLocation is a step of a thread flow.
type ThreadFlowLocation struct {
	Location *Location `json:"location"`
	Index    *int      `json:"index,omitempty"`
}

// ThreadFlow is a sequence of steps.
type ThreadFlow struct {
	Message   *Message             `json:"message,omitempty"`
	Locations []ThreadFlowLocation `json:"locations"`
}

// CodeFlow is a result's code flow.
type CodeFlow struct {
	Message     *Message     `json:"message,omitempty"`
	ThreadFlows []ThreadFlow `json:"threadFlows"`
}

// Suppression is a result's suppression.
type Suppression struct {
	Kind          string         `json:"kind"`
	Status        string         `json:"status"`
	Justification string         `json:"justification,omitempty"`
	Properties    WrittenStrings `json:"properties,omitempty"`
}

// ToolComponentReference names a tool component (reader only).
type ToolComponentReference struct {
	Name  string `json:"name,omitempty"`
	Index *int   `json:"index,omitempty"`
	GUID  string `json:"guid,omitempty"`
}

// ReportingDescriptorReference is a reportingDescriptorReference
// (result.rule, result.taxa, relationship targets; reader only).
type ReportingDescriptorReference struct {
	ID            string                  `json:"id,omitempty"`
	Index         *int                    `json:"index,omitempty"`
	GUID          string                  `json:"guid,omitempty"`
	ToolComponent *ToolComponentReference `json:"toolComponent,omitempty"`
}

// WebRequest is a DAST result's request (reader only).
type WebRequest struct {
	Target     string            `json:"target,omitempty"`
	Method     string            `json:"method,omitempty"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Result is a result. Its property bag P and fingerprint maps F have
// different types for reading and writing (see props.go): use
// [ReadResult] and [WriteResult]. The writer always sets RuleIndex.
type Result[P, F any] struct {
	RuleID              string                         `json:"ruleId"`
	RuleIndex           *int                           `json:"ruleIndex,omitempty"`
	Rule                *ReportingDescriptorReference  `json:"rule,omitempty"`
	Kind                string                         `json:"kind,omitempty"`
	Level               string                         `json:"level"`
	Message             Message                        `json:"message"`
	Locations           []Location                     `json:"locations,omitempty"`
	RelatedLocations    []Location                     `json:"relatedLocations,omitempty"`
	CodeFlows           []CodeFlow                     `json:"codeFlows,omitempty"`
	Fingerprints        F                              `json:"fingerprints,omitempty"`
	PartialFingerprints F                              `json:"partialFingerprints,omitempty"`
	Suppressions        []Suppression                  `json:"suppressions,omitempty"`
	Taxa                []ReportingDescriptorReference `json:"taxa,omitempty"`
	WebRequest          *WebRequest                    `json:"webRequest,omitempty"`
	BaselineState       WrittenString                  `json:"baselineState,omitempty"`
	Properties          P                              `json:"properties,omitempty"`
}

// ReadResult is a result as the reader decodes it; WriteResult as the
// writer encodes it.
type (
	ReadResult  = Result[Properties, map[string]string]
	WriteResult = Result[*ResultProperties, Pairs]
)

// ReportingConfiguration is a rule's default configuration.
type ReportingConfiguration struct {
	Level string `json:"level"`
}

// Relationship relates a rule to another descriptor, such as a CWE
// taxon (reader only).
type Relationship struct {
	Target ReportingDescriptorReference `json:"target"`
	Kinds  []string                     `json:"kinds,omitempty"`
}

// ReportingDescriptor is a rule. Its property bag P differs for reading
// and writing: use [ReadRule] and [WriteRule]. The writer always sets the
// descriptions and help.
type ReportingDescriptor[P any] struct {
	ID                   string                              `json:"id"`
	Name                 string                              `json:"name"`
	ShortDescription     *MultiformatMessageString           `json:"shortDescription"`
	FullDescription      *MultiformatMessageString           `json:"fullDescription"`
	Help                 *MultiformatMessageString           `json:"help"`
	HelpURI              string                              `json:"helpUri,omitempty"`
	DefaultConfiguration *ReportingConfiguration             `json:"defaultConfiguration,omitempty"`
	Properties           P                                   `json:"properties,omitempty"`
	Relationships        []Relationship                      `json:"relationships,omitempty"`
	MessageStrings       map[string]MultiformatMessageString `json:"messageStrings,omitempty"`
}

// ReadRule is a rule as the reader decodes it; WriteRule as the writer
// encodes it.
type (
	ReadRule  = ReportingDescriptor[Properties]
	WriteRule = ReportingDescriptor[*RuleProperties]
)

// Taxon is a taxonomy's entry, such as a CWE (reader only).
type Taxon struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	GUID string `json:"guid,omitempty"`
}

// ToolComponent is a tool's driver, an extension or a taxonomy, with
// rules of property bag P. The writer always writes Rules.
type ToolComponent[P any] struct {
	Name            string                   `json:"name"`
	FullName        string                   `json:"fullName,omitempty"`
	Version         string                   `json:"version,omitempty"`
	SemanticVersion string                   `json:"semanticVersion,omitempty"`
	InformationURI  string                   `json:"informationUri,omitempty"`
	GUID            string                   `json:"guid,omitempty"`
	Rules           []ReportingDescriptor[P] `json:"rules"`
	Taxa            []Taxon                  `json:"taxa,omitempty"`
}

// Tool is a run's tool, with rules of property bag P.
type Tool[P any] struct {
	Driver     *ToolComponent[P]  `json:"driver"`
	Extensions []ToolComponent[P] `json:"extensions,omitempty"`
}

// ReadTool is a tool as the reader decodes it; WriteTool as the writer
// encodes it.
type (
	ReadTool      = Tool[Properties]
	WriteTool     = Tool[*RuleProperties]
	ReadComponent = ToolComponent[Properties]
)

// Artifact is an entry of a run's artifacts (reader only).
type Artifact struct {
	Location *ArtifactLocation `json:"location,omitempty"`
}

// Notification is a tool execution notification.
type Notification struct {
	Level   string  `json:"level"`
	Message Message `json:"message"`
}

// Invocation is a run's invocation. The writer always sets
// ExecutionSuccessful.
type Invocation struct {
	ExecutionSuccessful        *bool          `json:"executionSuccessful"`
	StartTimeUTC               string         `json:"startTimeUtc,omitempty"`
	EndTimeUTC                 string         `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []Notification `json:"toolExecutionNotifications,omitempty"`
}

// AutomationDetails is a run's automationDetails (its category).
type AutomationDetails struct {
	ID string `json:"id"`
}

// VersionControlDetails is an entry of a run's versionControlProvenance
// (writer only).
type VersionControlDetails struct {
	RepositoryURI string            `json:"repositoryUri"`
	RevisionID    string            `json:"revisionId,omitempty"`
	Branch        string            `json:"branch,omitempty"`
	MappedTo      *ArtifactLocation `json:"mappedTo,omitempty"`
}

// Run is a run as the writer encodes it; the reader reads a run member by
// member instead. Results is never omitted: an empty array is how GitHub
// learns that a tool found nothing and closes the alerts it had opened.
type Run struct {
	Tool                     WriteTool                   `json:"tool"`
	Invocations              []Invocation                `json:"invocations,omitempty"`
	OriginalURIBaseIDs       map[string]ArtifactLocation `json:"originalUriBaseIds,omitempty"`
	AutomationDetails        *AutomationDetails          `json:"automationDetails,omitempty"`
	VersionControlProvenance []VersionControlDetails     `json:"versionControlProvenance,omitempty"`
	Results                  []WriteResult               `json:"results"`
}
