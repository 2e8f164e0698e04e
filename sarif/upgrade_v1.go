package sarif

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/scanmux/scanmux/internal/jsonlimit"
)

// IsV1 reports whether head, the first bytes of a log (possibly cut
// short), is a SARIF 1.0 log: a JSON object whose top-level version is
// "1.0.0" (or a 1.0.0 pre-release) and that has runs or a SARIF 1.0
// $schema ("sarif-1.0.0", as json.schemastore.org spells it, or
// "sarif-schema-1.0.0"); or, when the head ends before any version, whose
// $schema is SARIF 1.0's. The version of a run's tool does not count, and
// neither does a package.json's.
func IsV1(head []byte) bool {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, rdBOM), " \t\r\n")
	dec := jsontext.NewDecoder(bytes.NewReader(head), rdDecodeOpts...)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return false
	}
	var version string
	hasVersion, hasRuns, schemaV1 := false, false, false
members:
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			break
		}
		switch name := tok.String(); name {
		case "version", "$schema":
			v, err := dec.ReadToken()
			if err != nil {
				break members
			}
			s := ""
			if v.Kind() == '"' {
				s = v.String()
			}
			if name == "version" {
				version, hasVersion = s, true
			} else {
				schemaV1 = v1SchemaRE.MatchString(s)
			}
			continue
		case "runs":
			hasRuns = true
		}
		if dec.SkipValue() != nil {
			break // the head ends in this value
		}
	}
	if !hasVersion {
		return schemaV1
	}
	return (version == "1.0.0" || strings.HasPrefix(version, "1.0.0-")) && (hasRuns || schemaV1)
}

// v1SchemaRE matches the $schema URIs of SARIF 1.0.
var v1SchemaRE = regexp.MustCompile(`sarif-(schema-)?1\.0\.0`)

// UpgradeV1 reads a SARIF 1.0 log from r and returns it as a SARIF 2.1.0
// log (indented JSON), converted in memory the way the SARIF Multitool
// does (sarif-sdk's SarifVersionOneToCurrentVisitor, which "Multitool
// rewrite --sarif-output-version Current" applies). name is the log's
// name, for errors. A log that is not SARIF 1.0 JSON is a *DecodeError
// wrapping [ErrInvalidLog], or [ErrUnsupportedVersion] for another
// version.
//
// The mapping, per run:
//   - tool {name, fullName, version, semanticVersion, language,
//     fileVersion} becomes tool.driver (a fileVersion that is not n.n.n.n
//     goes to the driver's property "sarifv1/toolFileVersion"); run id,
//     stableId and automationId become automationDetails and
//     runAggregates, baselineId baselineGuid; columnKind is
//     utf16CodeUnits.
//   - rules, a dictionary keyed by id, becomes tool.driver.rules in the
//     dictionary's order: id, name, shortDescription, fullDescription,
//     helpUri, messageFormats (as messageStrings), properties, and
//     defaultConfiguration from defaultLevel and configuration.
//   - files becomes artifacts (location from the key and uriBaseId,
//     mimeType, length, parentIndex, hashes, contents), logicalLocations
//     the array of logical locations, parents first.
//   - each result keeps ruleId, gets ruleIndex from its ruleKey or ruleId;
//     level "error", "warning" and "note" stay levels (kind fail), "pass"
//     and "notApplicable" become kind pass and notApplicable with level
//     none; message becomes message.text, and formattedRuleMessage
//     {formatId, arguments} becomes message.id and arguments with the text
//     resolved through the rule's messageFormats; locations' resultFile
//     (or analysisTarget) {uri, uriBaseId, region} becomes
//     physicalLocation {artifactLocation, region} (offset and length
//     become byteOffset and byteLength); relatedLocations, codeFlows,
//     stacks and fixes are converted likewise; suppressionStates become
//     suppressions of kind external and inSource; baselineState existing
//     becomes unchanged; id becomes guid, toolFingerprintContribution the
//     partial fingerprint "Fingerprint", snippet the first location's
//     region snippet; properties are kept.
//   - invocation, toolNotifications and configurationNotifications
//     become the run's invocation (executionSuccessful true) with
//     toolExecutionNotifications and toolConfigurationNotifications; the
//     invocation's fileName and workingDirectory, paths in 1.0, become
//     file URIs when absolute.
//
// Where the Multitool's output would not pass its own validator's GitHub
// rules, or would read differently: a result's level is always written
// (SARIF 1.0's default is warning whatever the rule's defaultLevel, while
// 2.1.0 falls back to the rule's default), and each rule gets a
// fullDescription (its shortDescription when it has none) and a help text
// (its fullDescription), which GitHub code scanning requires.
func UpgradeV1(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(jsonlimit.NewReader(r, MaxStringBytes))
	if err != nil {
		return nil, &DecodeError{File: name, Err: err}
	}
	data = bytes.TrimPrefix(data, rdBOM)
	var in v1Log
	if err := json.Unmarshal(data, &in, rdDecodeOpts...); err != nil {
		return nil, &DecodeError{File: name, Path: "$", Err: fmt.Errorf("%w: not a SARIF 1.0 log: %v", ErrInvalidLog, err)}
	}
	switch {
	case in.Version == "1.0.0" || strings.HasPrefix(in.Version, "1.0.0-"):
	case in.Version == "" && v1SchemaRE.MatchString(in.Schema):
	case in.Version == "":
		return nil, &DecodeError{File: name, Path: "$", Err: fmt.Errorf("%w: not a SARIF 1.0 log: no version", ErrInvalidLog)}
	default:
		return nil, &DecodeError{File: name, Path: "$.version", Err: fmt.Errorf("%w %q: not SARIF 1.0", ErrUnsupportedVersion, rdTruncate(in.Version, 40))}
	}
	if in.Runs == nil {
		return nil, &DecodeError{File: name, Path: "$", Err: fmt.Errorf("%w: missing runs", ErrInvalidLog)}
	}
	out := v2Log{Schema: SchemaURI, Version: "2.1.0", Runs: []*v2Run{}}
	for _, run := range in.Runs {
		if run == nil {
			return nil, &DecodeError{File: name, Path: "$.runs", Err: fmt.Errorf("%w: a run is null", ErrInvalidLog)}
		}
		out.Runs = append(out.Runs, upgradeRun(run))
	}
	b, err := json.Marshal(&out, jsontext.WithIndent("  "), jsontext.AllowInvalidUTF8(true))
	if err != nil {
		return nil, &DecodeError{File: name, Err: err}
	}
	return append(b, '\n'), nil
}

// SARIF 1.0, as far as it is converted (the SARIF 1.0.0 schema).
type (
	v1Log struct {
		Schema  string   `json:"$schema"`
		Version string   `json:"version"`
		Runs    []*v1Run `json:"runs"`
	}
	v1Run struct {
		Tool                       *v1Tool                   `json:"tool"`
		Invocation                 *v1Invocation             `json:"invocation"`
		Files                      v1Dict[v1File]            `json:"files"`
		LogicalLocations           v1Dict[v1LogicalLocation] `json:"logicalLocations"`
		Results                    []*v1Result               `json:"results"`
		ToolNotifications          []*v1Notification         `json:"toolNotifications"`
		ConfigurationNotifications []*v1Notification         `json:"configurationNotifications"`
		Rules                      v1Dict[v1Rule]            `json:"rules"`
		ID                         string                    `json:"id"`
		StableID                   string                    `json:"stableId"`
		AutomationID               string                    `json:"automationId"`
		BaselineID                 string                    `json:"baselineId"`
		Properties                 propBag                   `json:"properties"`
	}
	v1Tool struct {
		Name            string  `json:"name"`
		FullName        string  `json:"fullName"`
		Version         string  `json:"version"`
		SemanticVersion string  `json:"semanticVersion"`
		FileVersion     string  `json:"fileVersion"`
		Language        string  `json:"language"`
		Properties      propBag `json:"properties"`
	}
	v1Invocation struct {
		CommandLine          string            `json:"commandLine"`
		ResponseFiles        v1Dict[string]    `json:"responseFiles"`
		StartTime            string            `json:"startTime"`
		EndTime              string            `json:"endTime"`
		Machine              string            `json:"machine"`
		Account              string            `json:"account"`
		ProcessID            int               `json:"processId"`
		FileName             string            `json:"fileName"`
		WorkingDirectory     string            `json:"workingDirectory"`
		EnvironmentVariables map[string]string `json:"environmentVariables"`
		Properties           propBag           `json:"properties"`
	}
	v1File struct {
		URI        string   `json:"uri"`
		URIBaseID  string   `json:"uriBaseId"`
		ParentKey  string   `json:"parentKey"`
		Offset     int      `json:"offset"`
		Length     int      `json:"length"`
		MimeType   string   `json:"mimeType"`
		Contents   string   `json:"contents"`
		Hashes     []v1Hash `json:"hashes"`
		Properties propBag  `json:"properties"`
	}
	v1Hash struct {
		Value     string `json:"value"`
		Algorithm string `json:"algorithm"`
	}
	v1LogicalLocation struct {
		Name      string `json:"name"`
		ParentKey string `json:"parentKey"`
		Kind      string `json:"kind"`
	}
	v1Rule struct {
		ID               string         `json:"id"`
		Name             string         `json:"name"`
		ShortDescription string         `json:"shortDescription"`
		FullDescription  string         `json:"fullDescription"`
		MessageFormats   v1Dict[string] `json:"messageFormats"`
		Configuration    string         `json:"configuration"`
		DefaultLevel     string         `json:"defaultLevel"`
		HelpURI          string         `json:"helpUri"`
		Properties       propBag        `json:"properties"`
	}
	v1Result struct {
		RuleID               string  `json:"ruleId"`
		RuleKey              string  `json:"ruleKey"`
		Level                string  `json:"level"`
		Message              *string `json:"message"`
		FormattedRuleMessage *struct {
			FormatID  string   `json:"formatId"`
			Arguments []string `json:"arguments"`
		} `json:"formattedRuleMessage"`
		Locations                   []*v1Location      `json:"locations"`
		Snippet                     string             `json:"snippet"`
		ID                          string             `json:"id"`
		ToolFingerprintContribution string             `json:"toolFingerprintContribution"`
		Stacks                      []*v1Stack         `json:"stacks"`
		CodeFlows                   []*v1CodeFlow      `json:"codeFlows"`
		RelatedLocations            []*v1AnnotatedCode `json:"relatedLocations"`
		SuppressionStates           []string           `json:"suppressionStates"`
		BaselineState               string             `json:"baselineState"`
		Fixes                       []*v1Fix           `json:"fixes"`
		Properties                  propBag            `json:"properties"`
	}
	v1Location struct {
		AnalysisTarget            *v1PhysicalLocation `json:"analysisTarget"`
		ResultFile                *v1PhysicalLocation `json:"resultFile"`
		FullyQualifiedLogicalName string              `json:"fullyQualifiedLogicalName"`
		LogicalLocationKey        string              `json:"logicalLocationKey"`
		DecoratedName             string              `json:"decoratedName"`
		Properties                propBag             `json:"properties"`
	}
	v1PhysicalLocation struct {
		URI       string    `json:"uri"`
		URIBaseID string    `json:"uriBaseId"`
		Region    *v1Region `json:"region"`
	}
	v1Region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine"`
		EndColumn   int `json:"endColumn"`
		Offset      int `json:"offset"`
		Length      int `json:"length"`
	}
	v1AnnotatedCode struct {
		PhysicalLocation          *v1PhysicalLocation `json:"physicalLocation"`
		FullyQualifiedLogicalName string              `json:"fullyQualifiedLogicalName"`
		LogicalLocationKey        string              `json:"logicalLocationKey"`
		Module                    string              `json:"module"`
		ThreadID                  int                 `json:"threadId"`
		Message                   *string             `json:"message"`
		Kind                      string              `json:"kind"`
		Importance                string              `json:"importance"`
		Snippet                   string              `json:"snippet"`
		Properties                propBag             `json:"properties"`
	}
	v1CodeFlow struct {
		Message    *string            `json:"message"`
		Locations  []*v1AnnotatedCode `json:"locations"`
		Properties propBag            `json:"properties"`
	}
	v1Stack struct {
		Message    *string         `json:"message"`
		Frames     []*v1StackFrame `json:"frames"`
		Properties propBag         `json:"properties"`
	}
	v1StackFrame struct {
		Message                   *string  `json:"message"`
		URI                       string   `json:"uri"`
		URIBaseID                 string   `json:"uriBaseId"`
		Line                      int      `json:"line"`
		Column                    int      `json:"column"`
		Module                    string   `json:"module"`
		ThreadID                  int      `json:"threadId"`
		FullyQualifiedLogicalName string   `json:"fullyQualifiedLogicalName"`
		LogicalLocationKey        string   `json:"logicalLocationKey"`
		Parameters                []string `json:"parameters"`
		Properties                propBag  `json:"properties"`
	}
	v1Fix struct {
		Description *string `json:"description"`
		FileChanges []struct {
			URI          string `json:"uri"`
			URIBaseID    string `json:"uriBaseId"`
			Replacements []struct {
				Offset        int    `json:"offset"`
				DeletedLength int    `json:"deletedLength"`
				InsertedBytes string `json:"insertedBytes"`
			} `json:"replacements"`
		} `json:"fileChanges"`
	}
	v1Notification struct {
		ID               string              `json:"id"`
		RuleID           string              `json:"ruleId"`
		PhysicalLocation *v1PhysicalLocation `json:"physicalLocation"`
		Message          *string             `json:"message"`
		Level            string              `json:"level"`
		ThreadID         int                 `json:"threadId"`
		Time             string              `json:"time"`
		Exception        *v1Exception        `json:"exception"`
		Properties       propBag             `json:"properties"`
	}
	v1Exception struct {
		Kind            string         `json:"kind"`
		Message         string         `json:"message"`
		Stack           *v1Stack       `json:"stack"`
		InnerExceptions []*v1Exception `json:"innerExceptions"`
	}
)

// v1Dict is a SARIF 1.0 dictionary (rules, files, logical locations ...)
// with its keys in the order the log gives them: SARIF 2.1.0 refers to
// rules and artifacts by their index in that order.
type v1Dict[T any] struct {
	keys []string
	vals []T
}

// UnmarshalJSON reads a JSON object; a null leaves the dictionary empty.
func (d *v1Dict[T]) UnmarshalJSON(b []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(b), rdDecodeOpts...)
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '{':
	default:
		return fmt.Errorf("expected an object, found %s", tok.Kind())
	}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		k := tok.String() // before the token is voided by the next read
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		var t T
		if err := json.Unmarshal(v, &t, rdDecodeOpts...); err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, t)
	}
	_, err = dec.ReadToken()
	return err
}

// index returns the position of key, or -1.
func (d *v1Dict[T]) index(key string) int {
	for i, k := range d.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// SARIF 2.1.0, the part UpgradeV1 writes. Optional members are omitted
// when zero; indices that may be 0 are pointers.
type (
	v2Log struct {
		Schema  string   `json:"$schema"`
		Version string   `json:"version"`
		Runs    []*v2Run `json:"runs"`
	}
	v2Run struct {
		Tool              v2Tool                `json:"tool"`
		Invocations       []*v2Invocation       `json:"invocations,omitzero"`
		Language          string                `json:"language,omitzero"`
		AutomationDetails *v2AutomationDetails  `json:"automationDetails,omitzero"`
		RunAggregates     []v2AutomationDetails `json:"runAggregates,omitzero"`
		BaselineGUID      string                `json:"baselineGuid,omitzero"`
		Artifacts         []*v2Artifact         `json:"artifacts,omitzero"`
		LogicalLocations  []*v2LogicalLocation  `json:"logicalLocations,omitzero"`
		Results           []*v2Result           `json:"results,omitzero"`
		ColumnKind        string                `json:"columnKind"`
		Properties        propBag               `json:"properties,omitzero"`
	}
	v2Tool struct {
		Driver v2Driver `json:"driver"`
	}
	v2Driver struct {
		Name                  string    `json:"name"`
		FullName              string    `json:"fullName,omitzero"`
		Version               string    `json:"version,omitzero"`
		SemanticVersion       string    `json:"semanticVersion,omitzero"`
		DottedQuadFileVersion string    `json:"dottedQuadFileVersion,omitzero"`
		Rules                 []*v2Rule `json:"rules,omitzero"`
		Properties            propBag   `json:"properties,omitzero"`
	}
	v2AutomationDetails struct {
		ID   string `json:"id,omitzero"`
		GUID string `json:"guid,omitzero"`
	}
	v2Text struct {
		Text string `json:"text"`
	}
	v2Rule struct {
		ID                   string            `json:"id"`
		Name                 string            `json:"name,omitzero"`
		ShortDescription     *v2Text           `json:"shortDescription,omitzero"`
		FullDescription      *v2Text           `json:"fullDescription,omitzero"`
		MessageStrings       map[string]v2Text `json:"messageStrings,omitzero"`
		DefaultConfiguration *v2Configuration  `json:"defaultConfiguration,omitzero"`
		HelpURI              string            `json:"helpUri,omitzero"`
		Help                 *v2Text           `json:"help,omitzero"`
		Properties           propBag           `json:"properties,omitzero"`
	}
	v2Configuration struct {
		Enabled *bool  `json:"enabled,omitzero"`
		Level   string `json:"level,omitzero"`
	}
	v2ArtifactLocation struct {
		URI       string `json:"uri,omitzero"`
		URIBaseID string `json:"uriBaseId,omitzero"`
		Index     *int   `json:"index,omitzero"`
	}
	v2Artifact struct {
		Location    *v2ArtifactLocation `json:"location,omitzero"`
		ParentIndex *int                `json:"parentIndex,omitzero"`
		Offset      int                 `json:"offset,omitzero"`
		Length      int                 `json:"length,omitzero"`
		MimeType    string              `json:"mimeType,omitzero"`
		Contents    *v2Content          `json:"contents,omitzero"`
		Hashes      map[string]string   `json:"hashes,omitzero"`
		Properties  propBag             `json:"properties,omitzero"`
	}
	v2Content struct {
		Text   string `json:"text,omitzero"`
		Binary string `json:"binary,omitzero"`
	}
	v2LogicalLocation struct {
		Name               string `json:"name,omitzero"`
		Index              *int   `json:"index,omitzero"`
		FullyQualifiedName string `json:"fullyQualifiedName,omitzero"`
		DecoratedName      string `json:"decoratedName,omitzero"`
		ParentIndex        *int   `json:"parentIndex,omitzero"`
		Kind               string `json:"kind,omitzero"`
	}
	v2Invocation struct {
		CommandLine                    string               `json:"commandLine,omitzero"`
		ResponseFiles                  []v2ArtifactLocation `json:"responseFiles,omitzero"`
		StartTimeUTC                   string               `json:"startTimeUtc,omitzero"`
		EndTimeUTC                     string               `json:"endTimeUtc,omitzero"`
		ExecutionSuccessful            bool                 `json:"executionSuccessful"`
		Machine                        string               `json:"machine,omitzero"`
		Account                        string               `json:"account,omitzero"`
		ProcessID                      int                  `json:"processId,omitzero"`
		ExecutableLocation             *v2ArtifactLocation  `json:"executableLocation,omitzero"`
		WorkingDirectory               *v2ArtifactLocation  `json:"workingDirectory,omitzero"`
		EnvironmentVariables           map[string]string    `json:"environmentVariables,omitzero"`
		ToolExecutionNotifications     []*v2Notification    `json:"toolExecutionNotifications,omitzero"`
		ToolConfigurationNotifications []*v2Notification    `json:"toolConfigurationNotifications,omitzero"`
		Properties                     propBag              `json:"properties,omitzero"`
	}
	v2Notification struct {
		Locations      []*v2Location `json:"locations,omitzero"`
		Message        v2Text        `json:"message"`
		Level          string        `json:"level,omitzero"`
		ThreadID       int           `json:"threadId,omitzero"`
		TimeUTC        string        `json:"timeUtc,omitzero"`
		Exception      *v2Exception  `json:"exception,omitzero"`
		Descriptor     *v2Reference  `json:"descriptor,omitzero"`
		AssociatedRule *v2Reference  `json:"associatedRule,omitzero"`
		Properties     propBag       `json:"properties,omitzero"`
	}
	v2Reference struct {
		ID string `json:"id"`
	}
	v2Exception struct {
		Kind            string         `json:"kind,omitzero"`
		Message         string         `json:"message,omitzero"`
		Stack           *v2Stack       `json:"stack,omitzero"`
		InnerExceptions []*v2Exception `json:"innerExceptions,omitzero"`
	}
	v2Message struct {
		Text      string   `json:"text,omitzero"`
		ID        string   `json:"id,omitzero"`
		Arguments []string `json:"arguments,omitzero"`
	}
	v2Result struct {
		RuleID              string              `json:"ruleId,omitzero"`
		RuleIndex           *int                `json:"ruleIndex,omitzero"`
		Kind                string              `json:"kind,omitzero"`
		Level               string              `json:"level,omitzero"`
		Message             v2Message           `json:"message"`
		AnalysisTarget      *v2ArtifactLocation `json:"analysisTarget,omitzero"`
		Locations           []*v2Location       `json:"locations,omitzero"`
		GUID                string              `json:"guid,omitzero"`
		PartialFingerprints map[string]string   `json:"partialFingerprints,omitzero"`
		Stacks              []*v2Stack          `json:"stacks,omitzero"`
		CodeFlows           []*v2CodeFlow       `json:"codeFlows,omitzero"`
		RelatedLocations    []*v2Location       `json:"relatedLocations,omitzero"`
		Suppressions        []v2Suppression     `json:"suppressions,omitzero"`
		BaselineState       string              `json:"baselineState,omitzero"`
		Fixes               []*v2Fix            `json:"fixes,omitzero"`
		Properties          propBag             `json:"properties,omitzero"`
	}
	v2Location struct {
		PhysicalLocation *v2PhysicalLocation  `json:"physicalLocation,omitzero"`
		LogicalLocations []*v2LogicalLocation `json:"logicalLocations,omitzero"`
		Message          *v2Text              `json:"message,omitzero"`
		Properties       propBag              `json:"properties,omitzero"`
	}
	v2PhysicalLocation struct {
		ArtifactLocation *v2ArtifactLocation `json:"artifactLocation,omitzero"`
		Region           *v2Region           `json:"region,omitzero"`
	}
	v2Region struct {
		StartLine   int        `json:"startLine,omitzero"`
		StartColumn int        `json:"startColumn,omitzero"`
		EndLine     int        `json:"endLine,omitzero"`
		EndColumn   int        `json:"endColumn,omitzero"`
		ByteOffset  *int       `json:"byteOffset,omitzero"`
		ByteLength  *int       `json:"byteLength,omitzero"`
		Snippet     *v2Content `json:"snippet,omitzero"`
	}
	v2Stack struct {
		Message    *v2Text    `json:"message,omitzero"`
		Frames     []*v2Frame `json:"frames"`
		Properties propBag    `json:"properties,omitzero"`
	}
	v2Frame struct {
		Location   *v2Location `json:"location,omitzero"`
		Module     string      `json:"module,omitzero"`
		ThreadID   int         `json:"threadId,omitzero"`
		Parameters []string    `json:"parameters,omitzero"`
		Properties propBag     `json:"properties,omitzero"`
	}
	v2CodeFlow struct {
		Message     *v2Text         `json:"message,omitzero"`
		ThreadFlows []*v2ThreadFlow `json:"threadFlows"`
		Properties  propBag         `json:"properties,omitzero"`
	}
	v2ThreadFlow struct {
		ID        string                  `json:"id,omitzero"`
		Locations []*v2ThreadFlowLocation `json:"locations"`
	}
	v2ThreadFlowLocation struct {
		Location       *v2Location `json:"location,omitzero"`
		Module         string      `json:"module,omitzero"`
		NestingLevel   int         `json:"nestingLevel,omitzero"`
		ExecutionOrder int         `json:"executionOrder,omitzero"`
		Importance     string      `json:"importance,omitzero"`
		Properties     propBag     `json:"properties,omitzero"`
	}
	v2Suppression struct {
		Kind string `json:"kind"`
	}
	v2Fix struct {
		Description     *v2Text             `json:"description,omitzero"`
		ArtifactChanges []*v2ArtifactChange `json:"artifactChanges"`
	}
	v2ArtifactChange struct {
		ArtifactLocation *v2ArtifactLocation `json:"artifactLocation"`
		Replacements     []*v2Replacement    `json:"replacements"`
	}
	v2Replacement struct {
		DeletedRegion   v2Region   `json:"deletedRegion"`
		InsertedContent *v2Content `json:"insertedContent,omitzero"`
	}
)

// v1Upgrader converts one run.
type v1Upgrader struct {
	in  *v1Run
	out *v2Run
	// logical maps a v1 logical location key to its index in
	// out.LogicalLocations.
	logical map[string]int
}

// upgradeRun converts one SARIF 1.0 run.
func upgradeRun(in *v1Run) *v2Run {
	u := &v1Upgrader{in: in, out: &v2Run{ColumnKind: "utf16CodeUnits", Properties: in.Properties}, logical: map[string]int{}}
	out := u.out
	out.Tool.Driver = upgradeTool(in.Tool)
	if in.Tool != nil && in.Tool.Language != "" && in.Tool.Language != "en-US" {
		out.Language = in.Tool.Language
	}
	if in.ID != "" || in.StableID != "" {
		out.AutomationDetails = &v2AutomationDetails{GUID: in.ID}
		if in.StableID != "" {
			out.AutomationDetails.ID = in.StableID + "/"
		}
	}
	if in.AutomationID != "" {
		out.RunAggregates = []v2AutomationDetails{{ID: in.AutomationID + "/"}}
	}
	out.BaselineGUID = in.BaselineID
	for i, r := range in.Rules.vals {
		out.Tool.Driver.Rules = append(out.Tool.Driver.Rules, upgradeRule(in.Rules.keys[i], &r))
	}
	for i := range in.Files.vals {
		out.Artifacts = append(out.Artifacts, u.artifact(in.Files.keys[i], &in.Files.vals[i]))
	}
	for _, k := range in.LogicalLocations.keys {
		u.logicalLocation(k, 0)
	}
	if inv := u.invocation(); inv != nil {
		out.Invocations = []*v2Invocation{inv}
	}
	if in.Results != nil {
		out.Results = []*v2Result{}
	}
	for _, r := range in.Results {
		if r != nil {
			out.Results = append(out.Results, u.result(r))
		}
	}
	return out
}

// dottedQuadRE matches a Windows file version, n.n.n.n.
var dottedQuadRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+){3}$`)

// upgradeTool converts the run's tool to the driver.
func upgradeTool(t *v1Tool) v2Driver {
	if t == nil {
		return v2Driver{Name: "unknown"}
	}
	d := v2Driver{Name: t.Name, FullName: t.FullName, Version: t.Version, SemanticVersion: t.SemanticVersion, Properties: t.Properties}
	if strings.TrimSpace(d.Name) == "" { // the reader wants a name that is not blank
		d.Name = "unknown"
	}
	switch {
	case dottedQuadRE.MatchString(t.FileVersion):
		d.DottedQuadFileVersion = t.FileVersion
	case t.FileVersion != "":
		d.Properties = withProperty(d.Properties, "sarifv1/toolFileVersion", t.FileVersion)
	}
	return d
}

// propBag is a property bag, kept as JSON text. Anything but an object
// (a null, say) is dropped: SARIF 2.1.0 allows only objects.
type propBag struct{ raw jsontext.Value }

// UnmarshalJSON keeps b when it is an object.
func (p *propBag) UnmarshalJSON(b []byte) error {
	v := jsontext.Value(bytes.TrimSpace(b))
	if v.Kind() == '{' {
		p.raw = v.Clone()
	}
	return nil
}

// MarshalJSON writes the object kept.
func (p propBag) MarshalJSON() ([]byte, error) { return p.raw, nil }

// IsZero reports whether p holds nothing, for omitzero.
func (p propBag) IsZero() bool { return len(p.raw) == 0 }

// withProperty returns the property bag props with name set to the string
// value.
func withProperty(props propBag, name, value string) propBag {
	bag := map[string]jsontext.Value{}
	if !props.IsZero() {
		_ = json.Unmarshal(props.raw, &bag, rdDecodeOpts...)
	}
	v, _ := json.Marshal(value)
	bag[name] = v
	b, err := json.Marshal(bag, json.Deterministic(true), jsontext.AllowInvalidUTF8(true))
	if err != nil {
		return props
	}
	return propBag{raw: b}
}

// text returns a message object for s, or nil.
func text(s *string) *v2Text {
	if s == nil {
		return nil
	}
	return &v2Text{Text: *s}
}

// textOf returns a message object for s, or nil when s is empty.
func textOf(s string) *v2Text {
	if s == "" {
		return nil
	}
	return &v2Text{Text: s}
}

// upgradeRule converts the rule of key.
func upgradeRule(key string, r *v1Rule) *v2Rule {
	out := &v2Rule{ID: r.ID, Name: r.Name, ShortDescription: textOf(r.ShortDescription),
		FullDescription: textOf(r.FullDescription), HelpURI: r.HelpURI, Properties: r.Properties}
	if out.ID == "" {
		out.ID = key
	}
	if len(r.MessageFormats.keys) > 0 {
		out.MessageStrings = map[string]v2Text{}
		for i, k := range r.MessageFormats.keys {
			out.MessageStrings[k] = v2Text{Text: r.MessageFormats.vals[i]}
		}
	}
	cfg := &v2Configuration{}
	switch r.DefaultLevel {
	case "error":
		cfg.Level = "error"
	case "note", "pass":
		cfg.Level = "note"
	}
	if r.Configuration == "disabled" {
		f := false
		cfg.Enabled = &f
	}
	if *cfg != (v2Configuration{}) {
		out.DefaultConfiguration = cfg
	}
	// GitHub code scanning requires fullDescription and help.text.
	if out.FullDescription == nil {
		out.FullDescription = out.ShortDescription
	}
	if out.FullDescription != nil {
		out.Help = &v2Text{Text: out.FullDescription.Text}
	}
	return out
}

// artifact converts the file of key.
func (u *v1Upgrader) artifact(key string, f *v1File) *v2Artifact {
	uri := key
	if f.ParentKey != "" {
		uri = strings.TrimPrefix(key, f.ParentKey+"#")
	}
	a := &v2Artifact{Location: &v2ArtifactLocation{URI: uri, URIBaseID: f.URIBaseID}, Offset: f.Offset, Length: f.Length,
		MimeType: f.MimeType, Properties: f.Properties}
	if f.ParentKey != "" {
		if i := u.in.Files.index(f.ParentKey); i >= 0 {
			a.ParentIndex = &i
		}
	}
	for _, h := range f.Hashes {
		if a.Hashes == nil {
			a.Hashes = map[string]string{}
		}
		a.Hashes[hashAlgorithm(h.Algorithm)] = h.Value
	}
	if f.Contents != "" {
		a.Contents = &v2Content{Binary: f.Contents}
		if textual(f.MimeType) {
			if b, err := base64.StdEncoding.DecodeString(f.Contents); err == nil && utf8.Valid(b) {
				a.Contents = &v2Content{Text: string(b)}
			}
		}
	}
	return a
}

// hashAlgorithm names a SARIF 1.0 hash algorithm as SARIF 2.1.0 does
// ("sha256" is "sha-256").
func hashAlgorithm(alg string) string {
	a := strings.ToLower(alg)
	if strings.HasPrefix(a, "sha") && !strings.HasPrefix(a, "sha-") && len(a) > 3 {
		return "sha-" + a[3:]
	}
	return a
}

// textual reports whether a MIME type is text, as the Multitool decides
// whether to decode a file's contents.
func textual(mime string) bool {
	return strings.HasPrefix(mime, "text/") || strings.HasSuffix(mime, "+xml") || strings.HasSuffix(mime, "/xml") ||
		strings.HasSuffix(mime, "/json") || strings.HasSuffix(mime, "+json")
}

// logicalLocation adds the logical location of key, after its parents,
// and returns its index; depth guards against parent cycles.
func (u *v1Upgrader) logicalLocation(key string, depth int) int {
	if i, ok := u.logical[key]; ok {
		return i
	}
	i := u.in.LogicalLocations.index(key)
	if i < 0 || depth > 64 {
		return -1
	}
	ll := u.in.LogicalLocations.vals[i]
	out := &v2LogicalLocation{Name: ll.Name, Kind: ll.Kind}
	if key != ll.Name {
		out.FullyQualifiedName = key
	}
	if ll.ParentKey != "" {
		if p := u.logicalLocation(ll.ParentKey, depth+1); p >= 0 {
			out.ParentIndex = &p
		}
	}
	if j, ok := u.logical[key]; ok { // added by a cycle through it
		return j
	}
	u.logical[key] = len(u.out.LogicalLocations)
	u.out.LogicalLocations = append(u.out.LogicalLocations, out)
	return u.logical[key]
}

// logicalRef returns a location's logical locations for a fully qualified
// name and a key, or nil.
func (u *v1Upgrader) logicalRef(fqn, key string) []*v2LogicalLocation {
	if key == "" {
		key = fqn
	}
	ref := &v2LogicalLocation{FullyQualifiedName: fqn}
	if i, ok := u.logical[key]; ok {
		ref.Index = &i
		if fqn == "" {
			ref.FullyQualifiedName = key
		}
	}
	if ref.FullyQualifiedName == "" && ref.Index == nil {
		return nil
	}
	return []*v2LogicalLocation{ref}
}

// artifactLocation returns the artifact location of a URI, with the
// artifact's index when the run's files list it.
func (u *v1Upgrader) artifactLocation(uri, baseID string) *v2ArtifactLocation {
	if uri == "" {
		return nil
	}
	if i := u.in.Files.index(uri); i >= 0 {
		l := *u.out.Artifacts[i].Location
		l.Index = &i
		return &l
	}
	return &v2ArtifactLocation{URI: uri, URIBaseID: baseID}
}

// physical converts a physical location.
func (u *v1Upgrader) physical(p *v1PhysicalLocation) *v2PhysicalLocation {
	if p == nil {
		return nil
	}
	return &v2PhysicalLocation{ArtifactLocation: u.artifactLocation(p.URI, p.URIBaseID), Region: upgradeRegion(p.Region)}
}

// upgradeRegion converts a region: offset and length are bytes; an end
// line without an end column ends at the start column, as the Multitool
// has it.
func upgradeRegion(r *v1Region) *v2Region {
	if r == nil {
		return nil
	}
	out := &v2Region{StartLine: max(r.StartLine, 0), StartColumn: max(r.StartColumn, 0), EndLine: max(r.EndLine, 0), EndColumn: max(r.EndColumn, 0)}
	if r.Length > 0 {
		off, n := max(r.Offset, 0), r.Length
		out.ByteOffset, out.ByteLength = &off, &n
	}
	if out.StartLine > 0 && out.EndLine > 0 && out.EndColumn == 0 {
		out.EndColumn = out.StartColumn
	}
	if out.StartLine == 0 {
		// SARIF 2.1.0 has no column without a line.
		out.StartColumn, out.EndLine, out.EndColumn = 0, 0, 0
	}
	if out.EndLine > 0 && out.EndLine < out.StartLine {
		out.EndLine, out.EndColumn = 0, 0
	}
	if *out == (v2Region{}) {
		return nil
	}
	return out
}

// location converts a result's location.
func (u *v1Upgrader) location(l *v1Location) *v2Location {
	p := l.ResultFile
	if p == nil {
		p = l.AnalysisTarget
	}
	out := &v2Location{PhysicalLocation: u.physical(p), LogicalLocations: u.logicalRef(l.FullyQualifiedLogicalName, l.LogicalLocationKey),
		Properties: l.Properties}
	if ll := out.LogicalLocations; l.DecoratedName != "" && ll != nil && ll[0].Index != nil {
		u.out.LogicalLocations[*ll[0].Index].DecoratedName = l.DecoratedName
	}
	return out
}

// annotated converts an annotated code location (related locations and
// code flow steps).
func (u *v1Upgrader) annotated(a *v1AnnotatedCode) *v2Location {
	out := &v2Location{PhysicalLocation: u.physical(a.PhysicalLocation), Message: text(a.Message),
		LogicalLocations: u.logicalRef(a.FullyQualifiedLogicalName, a.LogicalLocationKey), Properties: a.Properties}
	if a.Snippet != "" {
		if out.PhysicalLocation == nil {
			out.PhysicalLocation = &v2PhysicalLocation{}
		}
		if out.PhysicalLocation.Region == nil {
			out.PhysicalLocation.Region = &v2Region{}
		}
		out.PhysicalLocation.Region.Snippet = &v2Content{Text: a.Snippet}
	}
	return out
}

// levelAndKind maps a SARIF 1.0 result level.
func levelAndKind(level string) (string, string) {
	switch level {
	case "error", "note":
		return level, ""
	case "pass":
		return "none", "pass"
	case "notApplicable":
		return "none", "notApplicable"
	}
	return "warning", ""
}

// result converts one result.
func (u *v1Upgrader) result(r *v1Result) *v2Result {
	out := &v2Result{RuleID: r.RuleID, GUID: r.ID, Properties: r.Properties}
	out.Level, out.Kind = levelAndKind(r.Level)
	ruleKey := r.RuleKey
	if ruleKey == "" {
		ruleKey = r.RuleID
	}
	u.resultRuleAndMessage(r, ruleKey, out)
	for _, l := range r.Locations {
		if l != nil {
			out.Locations = append(out.Locations, u.location(l))
		}
	}
	if len(r.Locations) > 0 && r.Locations[0] != nil {
		if l := r.Locations[0]; l.ResultFile != nil && l.AnalysisTarget != nil && l.AnalysisTarget.URI != l.ResultFile.URI {
			out.AnalysisTarget = u.artifactLocation(l.AnalysisTarget.URI, l.AnalysisTarget.URIBaseID)
		}
	}
	if r.ToolFingerprintContribution != "" {
		out.PartialFingerprints = map[string]string{"Fingerprint": r.ToolFingerprintContribution}
	}
	if r.Snippet != "" {
		snippetLocation(out).PhysicalLocation.Region.Snippet = &v2Content{Text: r.Snippet}
	}
	for _, s := range r.Stacks {
		if s != nil {
			out.Stacks = append(out.Stacks, u.stack(s))
		}
	}
	for _, cf := range r.CodeFlows {
		if cf != nil {
			out.CodeFlows = append(out.CodeFlows, u.codeFlow(cf))
		}
	}
	for _, a := range r.RelatedLocations {
		if a != nil {
			out.RelatedLocations = append(out.RelatedLocations, u.annotated(a))
		}
	}
	for _, s := range r.SuppressionStates {
		switch s {
		case "suppressedExternally":
			out.Suppressions = append(out.Suppressions, v2Suppression{Kind: "external"})
		case "suppressedInSource":
			out.Suppressions = append(out.Suppressions, v2Suppression{Kind: "inSource"})
		}
	}
	switch r.BaselineState {
	case "new", "absent":
		out.BaselineState = r.BaselineState
	case "existing":
		out.BaselineState = "unchanged"
	}
	for _, f := range r.Fixes {
		if f != nil {
			out.Fixes = append(out.Fixes, u.fix(f))
		}
	}
	return out
}

// resultRuleAndMessage sets out's rule index (and its id when r has
// none) from the rule r names by ruleKey, and its message: r's text, or
// its formatted rule message filled from the rule's formats, or a text
// from the rule since SARIF 2.1.0 requires one.
func (u *v1Upgrader) resultRuleAndMessage(r *v1Result, ruleKey string, out *v2Result) {
	var rule *v1Rule
	if i := u.in.Rules.index(ruleKey); ruleKey != "" && i >= 0 {
		out.RuleIndex = &i
		rule = &u.in.Rules.vals[i]
		if out.RuleID == "" {
			out.RuleID = firstNonEmptyString(rule.ID, ruleKey)
		}
	}
	if r.Message != nil {
		out.Message.Text = *r.Message
	}
	if m := r.FormattedRuleMessage; m != nil {
		out.Message.ID, out.Message.Arguments = m.FormatID, m.Arguments
		if out.Message.Text == "" && rule != nil {
			if i := rule.MessageFormats.index(m.FormatID); i >= 0 {
				out.Message.Text = formatMessage(rule.MessageFormats.vals[i], m.Arguments)
			}
		}
	}
	if out.Message.Text == "" && out.Message.ID == "" {
		// SARIF 2.1.0 requires a message; 1.0 did not.
		out.Message.Text = firstNonEmptyString(rule.shortDescription(), out.RuleID, "(no message)")
	}
}

// snippetLocation returns the first location of out with a physical
// location and region, adding what is missing, to hold a 1.0 snippet.
func snippetLocation(out *v2Result) *v2Location {
	if len(out.Locations) == 0 {
		out.Locations = []*v2Location{{}}
	}
	l := out.Locations[0]
	if l.PhysicalLocation == nil {
		l.PhysicalLocation = &v2PhysicalLocation{}
	}
	if l.PhysicalLocation.Region == nil {
		l.PhysicalLocation.Region = &v2Region{}
	}
	return l
}

// shortDescription returns r's short description; r may be nil.
func (r *v1Rule) shortDescription() string {
	if r == nil {
		return ""
	}
	return r.ShortDescription
}

// formatMessage fills the placeholders {0}, {1} ... of a SARIF 1.0
// message format (a .NET format string: "{{" and "}}" are braces) with
// args. A placeholder without an argument is kept as it is.
func formatMessage(format string, args []string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case (c == '{' || c == '}') && i+1 < len(format) && format[i+1] == c:
			b.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				b.WriteString(format[i:])
				return b.String()
			}
			spec := format[i+1 : i+end]
			spec, _, _ = strings.Cut(spec, ":") // a format specifier, ignored
			spec, _, _ = strings.Cut(spec, ",") // an alignment, ignored
			if n, err := strconv.Atoi(strings.TrimSpace(spec)); err == nil && n >= 0 && n < len(args) {
				b.WriteString(args[n])
			} else {
				b.WriteString(format[i : i+end+1])
			}
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// firstNonEmptyString returns the first of ss that is not empty.
func firstNonEmptyString(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// stack converts a call stack.
func (u *v1Upgrader) stack(s *v1Stack) *v2Stack {
	out := &v2Stack{Message: text(s.Message), Frames: []*v2Frame{}, Properties: s.Properties}
	for _, f := range s.Frames {
		if f == nil {
			continue
		}
		loc := &v2Location{Message: text(f.Message), LogicalLocations: u.logicalRef(f.FullyQualifiedLogicalName, f.LogicalLocationKey)}
		if f.URI != "" {
			loc.PhysicalLocation = &v2PhysicalLocation{ArtifactLocation: u.artifactLocation(f.URI, f.URIBaseID)}
			if f.Line > 0 {
				loc.PhysicalLocation.Region = &v2Region{StartLine: f.Line, StartColumn: max(f.Column, 0), EndColumn: max(f.Column, 0)}
			}
		}
		out.Frames = append(out.Frames, &v2Frame{Location: loc, Module: f.Module, ThreadID: f.ThreadID, Parameters: f.Parameters, Properties: f.Properties})
	}
	return out
}

// codeFlow converts a code flow: its locations become one thread flow
// per thread id, nested by call and callReturn steps.
func (u *v1Upgrader) codeFlow(cf *v1CodeFlow) *v2CodeFlow {
	out := &v2CodeFlow{Message: text(cf.Message), ThreadFlows: []*v2ThreadFlow{}, Properties: cf.Properties}
	byThread := map[int]*v2ThreadFlow{}
	nesting, order := 0, 0
	for _, a := range cf.Locations {
		if a == nil {
			continue
		}
		tf := byThread[a.ThreadID]
		if tf == nil {
			tf = &v2ThreadFlow{ID: strconv.Itoa(a.ThreadID), Locations: []*v2ThreadFlowLocation{}}
			byThread[a.ThreadID] = tf
			out.ThreadFlows = append(out.ThreadFlows, tf)
		}
		order++
		tfl := &v2ThreadFlowLocation{Location: u.annotated(a), Module: a.Module, NestingLevel: nesting, ExecutionOrder: order,
			Importance: a.Importance}
		if tfl.Importance != "essential" && tfl.Importance != "unimportant" {
			tfl.Importance = "" // important, the default
		}
		tf.Locations = append(tf.Locations, tfl)
		switch a.Kind {
		case "call":
			nesting++
		case "callReturn":
			nesting = max(nesting-1, 0)
		}
	}
	if len(out.ThreadFlows) == 0 {
		// SARIF 2.1.0 requires a thread flow with a location.
		out.ThreadFlows = append(out.ThreadFlows, &v2ThreadFlow{Locations: []*v2ThreadFlowLocation{{Location: &v2Location{}}}})
	}
	return out
}

// fix converts a proposed fix.
func (u *v1Upgrader) fix(f *v1Fix) *v2Fix {
	out := &v2Fix{Description: text(f.Description), ArtifactChanges: []*v2ArtifactChange{}}
	for _, c := range f.FileChanges {
		ch := &v2ArtifactChange{ArtifactLocation: u.artifactLocation(c.URI, c.URIBaseID), Replacements: []*v2Replacement{}}
		if ch.ArtifactLocation == nil {
			ch.ArtifactLocation = &v2ArtifactLocation{}
		}
		for _, r := range c.Replacements {
			off := max(r.Offset, 0)
			rep := &v2Replacement{DeletedRegion: v2Region{ByteOffset: &off}}
			if n := r.DeletedLength; n > 0 {
				rep.DeletedRegion.ByteLength = &n
			}
			if r.InsertedBytes != "" {
				rep.InsertedContent = &v2Content{Binary: r.InsertedBytes}
			}
			ch.Replacements = append(ch.Replacements, rep)
		}
		out.ArtifactChanges = append(out.ArtifactChanges, ch)
	}
	return out
}

// invocation converts the run's invocation and notifications, or returns
// nil when there are none.
func (u *v1Upgrader) invocation() *v2Invocation {
	in := u.in
	var inv *v2Invocation
	if i := in.Invocation; i != nil {
		inv = &v2Invocation{CommandLine: i.CommandLine, StartTimeUTC: i.StartTime, EndTimeUTC: i.EndTime, Machine: i.Machine,
			Account: i.Account, ProcessID: i.ProcessID, EnvironmentVariables: i.EnvironmentVariables, Properties: i.Properties}
		if i.FileName != "" {
			inv.ExecutableLocation = &v2ArtifactLocation{URI: filePathURI(i.FileName)}
		}
		if i.WorkingDirectory != "" {
			inv.WorkingDirectory = &v2ArtifactLocation{URI: filePathURI(i.WorkingDirectory)}
		}
		for _, k := range i.ResponseFiles.keys {
			if l := u.artifactLocation(k, ""); l != nil {
				inv.ResponseFiles = append(inv.ResponseFiles, *l)
			}
		}
	}
	if inv == nil && len(in.ToolNotifications) == 0 && len(in.ConfigurationNotifications) == 0 {
		return nil
	}
	if inv == nil {
		inv = &v2Invocation{}
	}
	inv.ExecutionSuccessful = true
	for _, n := range in.ToolNotifications {
		if n != nil {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, u.notification(n))
		}
	}
	for _, n := range in.ConfigurationNotifications {
		if n != nil {
			inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, u.notification(n))
		}
	}
	return inv
}

// windowsPathRE matches an absolute Windows path.
var windowsPathRE = regexp.MustCompile(`^[A-Za-z]:[\\/]`)

// filePathURI returns the file URI of an absolute file path (SARIF 1.0's
// invocation fileName and workingDirectory are paths; SARIF 2.1.0 wants
// URIs, and a relative reference may not start with "/"), or p itself.
func filePathURI(p string) string {
	switch {
	case windowsPathRE.MatchString(p):
		p = "/" + strings.ReplaceAll(p, `\`, "/")
	case !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//"):
		return p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// notification converts a tool or configuration notification.
func (u *v1Upgrader) notification(n *v1Notification) *v2Notification {
	out := &v2Notification{ThreadID: n.ThreadID, TimeUTC: n.Time, Properties: n.Properties, Exception: upgradeException(u, n.Exception, 0)}
	if n.Message != nil {
		out.Message.Text = *n.Message
	}
	switch n.Level {
	case "error", "note":
		out.Level = n.Level
	}
	if n.PhysicalLocation != nil {
		out.Locations = []*v2Location{{PhysicalLocation: u.physical(n.PhysicalLocation)}}
	}
	if n.ID != "" {
		out.Descriptor = &v2Reference{ID: n.ID}
	}
	if n.RuleID != "" {
		out.AssociatedRule = &v2Reference{ID: n.RuleID}
	}
	return out
}

// upgradeException converts a notification's exception; depth bounds the
// inner exceptions followed.
func upgradeException(u *v1Upgrader, e *v1Exception, depth int) *v2Exception {
	if e == nil || depth > 32 {
		return nil
	}
	out := &v2Exception{Kind: e.Kind, Message: e.Message}
	if e.Stack != nil {
		out.Stack = u.stack(e.Stack)
	}
	for _, in := range e.InnerExceptions {
		if x := upgradeException(u, in, depth+1); x != nil {
			out.InnerExceptions = append(out.InnerExceptions, x)
		}
	}
	return out
}
