package plugin

import (
	"maps"

	"github.com/scanmux/scanmux/finding"
	pb "github.com/scanmux/scanmux/proto/scanmux/plugin/v1"
)

// Conversions between the Go model and protocol v1. Enum tables are kept
// side by side so that a value added to one is easy to add to the other;
// unknown wire values (from a newer plugin) read as "unset" or "other".

var categoryToPB = map[finding.Category]pb.Category{
	finding.CategorySAST:       pb.Category_CATEGORY_SAST,
	finding.CategorySecret:     pb.Category_CATEGORY_SECRET,
	finding.CategoryIaC:        pb.Category_CATEGORY_IAC,
	finding.CategoryDependency: pb.Category_CATEGORY_DEPENDENCY,
	finding.CategoryContainer:  pb.Category_CATEGORY_CONTAINER,
	finding.CategoryDAST:       pb.Category_CATEGORY_DAST,
	finding.CategoryQuality:    pb.Category_CATEGORY_QUALITY,
	finding.CategoryOther:      pb.Category_CATEGORY_OTHER,
}

var categoryFromPB = invert(categoryToPB)

var precisionToPB = map[finding.Precision]pb.Precision{
	finding.PrecisionLow:      pb.Precision_PRECISION_LOW,
	finding.PrecisionMedium:   pb.Precision_PRECISION_MEDIUM,
	finding.PrecisionHigh:     pb.Precision_PRECISION_HIGH,
	finding.PrecisionVeryHigh: pb.Precision_PRECISION_VERY_HIGH,
}

var precisionFromPB = invert(precisionToPB)

var targetToPB = map[TargetKind]pb.TargetKind{
	TargetDirectory: pb.TargetKind_TARGET_KIND_DIRECTORY,
	TargetFiles:     pb.TargetKind_TARGET_KIND_FILES,
	TargetURL:       pb.TargetKind_TARGET_KIND_URL,
	TargetImage:     pb.TargetKind_TARGET_KIND_IMAGE,
}

var targetFromPB = invert(targetToPB)

var levelToPB = map[Level]pb.DiagnosticLevel{
	LevelDebug:   pb.DiagnosticLevel_DIAGNOSTIC_LEVEL_DEBUG,
	LevelInfo:    pb.DiagnosticLevel_DIAGNOSTIC_LEVEL_INFO,
	LevelWarning: pb.DiagnosticLevel_DIAGNOSTIC_LEVEL_WARNING,
	LevelError:   pb.DiagnosticLevel_DIAGNOSTIC_LEVEL_ERROR,
}

var levelFromPB = invert(levelToPB)

var suppKindToPB = map[finding.SuppressionKind]pb.SuppressionKind{
	finding.SuppressionInSource: pb.SuppressionKind_SUPPRESSION_KIND_IN_SOURCE,
	finding.SuppressionExternal: pb.SuppressionKind_SUPPRESSION_KIND_EXTERNAL,
}

var suppKindFromPB = invert(suppKindToPB)

var suppStatusToPB = map[finding.SuppressionStatus]pb.SuppressionStatus{
	finding.SuppressionAccepted:    pb.SuppressionStatus_SUPPRESSION_STATUS_ACCEPTED,
	finding.SuppressionUnderReview: pb.SuppressionStatus_SUPPRESSION_STATUS_UNDER_REVIEW,
	finding.SuppressionRejected:    pb.SuppressionStatus_SUPPRESSION_STATUS_REJECTED,
}

var suppStatusFromPB = invert(suppStatusToPB)

func invert[K, V comparable](m map[K]V) map[V]K {
	r := make(map[V]K, len(m))
	for k, v := range m {
		r[v] = k
	}
	return r
}

func severityToPB(s finding.Severity) pb.Severity {
	if !s.Valid() {
		return pb.Severity_SEVERITY_UNSPECIFIED
	}
	// The wire enum has the same order and numbers as finding.Severity.
	return pb.Severity(s)
}

func severityFromPB(s pb.Severity) finding.Severity {
	v := finding.Severity(s)
	if !v.Valid() {
		return finding.SeverityUnset
	}
	return v
}

func infoToPB(i *Info) *pb.DescribeResponse {
	r := &pb.DescribeResponse{
		Name:            i.Name,
		Version:         i.Version,
		Description:     i.Description,
		InformationUri:  i.InformationURI,
		ProtocolVersion: ProtocolVersion,
	}
	for _, c := range i.Categories {
		r.Categories = append(r.Categories, categoryToPB[c])
	}
	for _, t := range i.Targets {
		r.TargetKinds = append(r.TargetKinds, targetToPB[t])
	}
	for k := range i.Rules {
		r.Rules = append(r.Rules, ruleToPB(&i.Rules[k]))
	}
	return r
}

func infoFromPB(r *pb.DescribeResponse) *Info {
	i := &Info{
		Name:            r.GetName(),
		Version:         r.GetVersion(),
		Description:     r.GetDescription(),
		InformationURI:  r.GetInformationUri(),
		ProtocolVersion: int(r.GetProtocolVersion()),
	}
	for _, c := range r.GetCategories() {
		if v, ok := categoryFromPB[c]; ok {
			i.Categories = append(i.Categories, v)
		}
	}
	for _, t := range r.GetTargetKinds() {
		if v, ok := targetFromPB[t]; ok {
			i.Targets = append(i.Targets, v)
		}
	}
	for _, rule := range r.GetRules() {
		i.Rules = append(i.Rules, ruleFromPB(rule))
	}
	return i
}

func requestToPB(r *Request) *pb.ScanRequest {
	return &pb.ScanRequest{
		Target: &pb.Target{
			Kind:  targetToPB[r.Target.Kind],
			Root:  r.Target.Root,
			Files: r.Target.Files,
			Url:   r.Target.URL,
			Image: r.Target.Image,
		},
		Options: r.Options,
		Config:  r.Config,
	}
}

func requestFromPB(r *pb.ScanRequest) *Request {
	t := r.GetTarget()
	return &Request{
		Target: Target{
			Kind:  targetFromPB[t.GetKind()],
			Root:  t.GetRoot(),
			Files: t.GetFiles(),
			URL:   t.GetUrl(),
			Image: t.GetImage(),
		},
		Options: r.GetOptions(),
		Config:  r.GetConfig(),
	}
}

func diagnosticToPB(d *Diagnostic) *pb.Diagnostic {
	return &pb.Diagnostic{Level: levelToPB[d.Level], Message: d.Message, Attrs: d.Attrs}
}

func diagnosticFromPB(d *pb.Diagnostic) Diagnostic {
	lv, ok := levelFromPB[d.GetLevel()]
	if !ok {
		lv = LevelInfo
	}
	return Diagnostic{Level: lv, Message: d.GetMessage(), Attrs: d.GetAttrs()}
}

func ruleToPB(r *finding.Rule) *pb.Rule {
	return &pb.Rule{
		Id:               r.ID,
		Name:             r.Name,
		ShortDescription: r.ShortDescription,
		FullDescription:  r.FullDescription,
		HelpText:         r.HelpText,
		HelpMarkdown:     r.HelpMarkdown,
		HelpUri:          r.HelpURI,
		Tags:             r.Tags,
	}
}

func ruleFromPB(r *pb.Rule) finding.Rule {
	return finding.Rule{
		ID:               r.GetId(),
		Name:             r.GetName(),
		ShortDescription: r.GetShortDescription(),
		FullDescription:  r.GetFullDescription(),
		HelpText:         r.GetHelpText(),
		HelpMarkdown:     r.GetHelpMarkdown(),
		HelpURI:          r.GetHelpUri(),
		Tags:             r.GetTags(),
	}
}

// findingToPB converts f. The rule is converted by the caller, which may
// send only its id (see the protocol's rule references).
func findingToPB(f *finding.Finding, rule *pb.Rule) *pb.Finding {
	p := &pb.Finding{
		Rule:             rule,
		Message:          f.Message,
		Category:         categoryToPB[f.Category],
		Severity:         severityToPB(f.Severity),
		OriginalSeverity: f.OriginalSeverity,
		Precision:        precisionToPB[f.Precision],
		VulnIds:          f.VulnIDs,
		Location:         locationToPB(&f.Location),
		Fingerprints:     f.AllFingerprints(), // on the wire, the identity is a fingerprint
		Properties:       f.Properties,
	}
	if f.Tool != (finding.Tool{}) {
		p.Tool = &pb.Tool{Name: f.Tool.Name, Version: f.Tool.Version, InformationUri: f.Tool.InformationURI}
	}
	if len(f.CWEs) > 0 {
		p.Cwes = make([]int32, len(f.CWEs))
		for i, c := range f.CWEs {
			p.Cwes[i] = int32(c)
		}
	}
	for i := range f.Related {
		p.Related = append(p.Related, locationToPB(&f.Related[i]))
	}
	for _, fl := range f.Flows {
		pf := &pb.Flow{Message: fl.Message, Steps: make([]*pb.Location, len(fl.Steps))}
		for i := range fl.Steps {
			pf.Steps[i] = locationToPB(&fl.Steps[i])
		}
		p.Flows = append(p.Flows, pf)
	}
	for _, s := range f.Suppressions {
		p.Suppressions = append(p.Suppressions, &pb.Suppression{
			Kind:          suppKindToPB[s.Kind],
			Status:        suppStatusToPB[s.Status],
			Justification: s.Justification,
			Source:        s.Source,
		})
	}
	return p
}

// findingFromPB converts p; the caller resolves rule references and the
// default tool.
func findingFromPB(p *pb.Finding) *finding.Finding {
	f := &finding.Finding{
		Rule:             ruleFromPB(p.GetRule()),
		Message:          p.GetMessage(),
		Category:         categoryFromPB[p.GetCategory()],
		Severity:         severityFromPB(p.GetSeverity()),
		OriginalSeverity: p.GetOriginalSeverity(),
		Precision:        precisionFromPB[p.GetPrecision()],
		VulnIDs:          p.GetVulnIds(),
		Location:         locationFromPB(p.GetLocation()),
		Fingerprints:     p.GetFingerprints(),
		Properties:       p.GetProperties(),
	}
	for _, k := range []string{finding.FingerprintScanmuxV1, finding.FingerprintScanmuxV2} {
		if id, ok := f.Fingerprints[k]; ok {
			if f.ID == "" || k == finding.FingerprintScanmuxV2 {
				f.ID = id
			}
			f.Fingerprints = maps.Clone(f.Fingerprints)
			delete(f.Fingerprints, k)
		}
	}
	if len(f.Fingerprints) == 0 {
		f.Fingerprints = nil
	}
	if p.GetCategory() != pb.Category_CATEGORY_UNSPECIFIED && f.Category == "" {
		f.Category = finding.CategoryOther // a category from a newer protocol
	}
	if t := p.GetTool(); t != nil {
		f.Tool = finding.Tool{Name: t.GetName(), Version: t.GetVersion(), InformationURI: t.GetInformationUri()}
	}
	if cwes := p.GetCwes(); len(cwes) > 0 {
		f.CWEs = make([]int, len(cwes))
		for i, c := range cwes {
			f.CWEs[i] = int(c)
		}
	}
	for _, l := range p.GetRelated() {
		f.Related = append(f.Related, locationFromPB(l))
	}
	for _, fl := range p.GetFlows() {
		gf := finding.Flow{Message: fl.GetMessage(), Steps: make([]finding.Location, len(fl.GetSteps()))}
		for i, s := range fl.GetSteps() {
			gf.Steps[i] = locationFromPB(s)
		}
		f.Flows = append(f.Flows, gf)
	}
	for _, s := range p.GetSuppressions() {
		f.Suppressions = append(f.Suppressions, finding.Suppression{
			Kind:          suppKindFromPB[s.GetKind()],
			Status:        suppStatusFromPB[s.GetStatus()],
			Justification: s.GetJustification(),
			Source:        s.GetSource(),
		})
	}
	return f
}

func locationToPB(l *finding.Location) *pb.Location {
	p := &pb.Location{
		Path:     l.Path,
		Snippet:  l.Snippet,
		Resource: l.Resource,
		Message:  l.Message,
	}
	if !l.Region.IsZero() {
		p.Region = &pb.Region{
			StartLine:   int32(l.Region.StartLine),
			StartColumn: int32(l.Region.StartColumn),
			EndLine:     int32(l.Region.EndLine),
			EndColumn:   int32(l.Region.EndColumn),
		}
	}
	if k := l.Package; k != nil {
		p.Package = &pb.Package{
			Name: k.Name, Version: k.Version, FixedVersion: k.FixedVersion,
			Ecosystem: k.Ecosystem, Purl: k.PURL, Image: k.Image, Layer: k.Layer,
		}
	}
	if w := l.Web; w != nil {
		p.Web = &pb.Web{Url: w.URL, Method: w.Method, Parameter: w.Parameter, Evidence: w.Evidence}
	}
	return p
}

func locationFromPB(p *pb.Location) finding.Location {
	l := finding.Location{
		Path:     p.GetPath(),
		Snippet:  p.GetSnippet(),
		Resource: p.GetResource(),
		Message:  p.GetMessage(),
	}
	if r := p.GetRegion(); r != nil {
		l.Region = finding.Region{
			StartLine:   int(r.GetStartLine()),
			StartColumn: int(r.GetStartColumn()),
			EndLine:     int(r.GetEndLine()),
			EndColumn:   int(r.GetEndColumn()),
		}
	}
	if k := p.GetPackage(); k != nil {
		l.Package = &finding.Package{
			Name: k.GetName(), Version: k.GetVersion(), FixedVersion: k.GetFixedVersion(),
			Ecosystem: k.GetEcosystem(), PURL: k.GetPurl(), Image: k.GetImage(), Layer: k.GetLayer(),
		}
	}
	if w := p.GetWeb(); w != nil {
		l.Web = &finding.Web{URL: w.GetUrl(), Method: w.GetMethod(), Parameter: w.GetParameter(), Evidence: w.GetEvidence()}
	}
	return l
}
