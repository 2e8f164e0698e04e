// Package kubescore reads kube-score JSON output (`kube-score score
// --output-format json`) into findings.
//
// # Mapping
//
// The output is an array with one element per Kubernetes object, each
// holding every check kube-score ran on it with a grade: 1 critical, 5
// warning, 7 almost OK, 10 all OK. A check is a finding when its grade is
// below 10 and it was not skipped (kube-score skips optional checks that
// are not enabled, checks that do not apply and checks ignored by an
// annotation); each of its comments is one finding, or the check is one
// finding if it has no comments.
//
// kube-score has no severity words in its JSON, only grades, so:
//
//	grade 1 (kube-score's CRITICAL)   high      OriginalSeverity "CRITICAL"
//	grade 5 (WARNING)                 medium    OriginalSeverity "WARNING"
//	grade 7 (ALMOST_OK)               low       OriginalSeverity "ALMOST_OK"
//	other grades below 10             by the same bands (<=1, <=5, else)
//
// and Properties["grade"] keeps the number. kube-score's CRITICAL is a
// failed best practice rather than an exploitable flaw, hence high, not
// critical.
//
// Rule.ID is the check's id, Rule.Name its name, Rule.ShortDescription its
// comment, Rule.HelpURI the comment's documentation_url. The message is
// the comment's summary, followed by its path (the container or field) in
// parentheses when it has one; the comment's description (the advice) and
// path go in Properties. The category is iac; the location is file_name
// with file_row as start line, and Location.Resource is
// "Kind/namespace/name" ("Kind/name" without a namespace).
//
// kube-score writes absolute file names: they are made relative to the
// scan root with [finding.NormalizePath]. A path that cannot be leaves the
// finding without a path; Properties["unresolvedPath"] then keeps it.
// kube-score's JSON does not say its version.
package kubescore

import (
	"fmt"
	"io"
	"strconv"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Adapters returns the kube-score adapter, "kube-score".
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads kube-score JSON output. Its name is "kube-score".
type Adapter struct{}

const (
	expected = "kube-score JSON output"
	toolURI  = "https://kube-score.com/"
)

// Grades that kube-score gives a check (scorecard.Grade).
const (
	// GradeCritical is a failed check (kube-score's CRITICAL).
	GradeCritical = 1
	// GradeWarning is a check with a warning (WARNING).
	GradeWarning = 5
	// GradeAlmostOK is a check that nearly passed.
	GradeAlmostOK = 7
	// GradeAllOK is a passed check: not a finding.
	GradeAllOK = 10
)

// Name returns "kube-score".
func (Adapter) Name() string { return "kube-score" }

// Detect reports whether head is a JSON array of kube-score scored
// objects: object_name and type_meta with checks or grade.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "[")
	return ok && h.Has("object_name") && h.Has("type_meta") && (h.Has("checks") || h.Has("object_meta"))
}

// object is one scored Kubernetes object.
type object struct {
	ObjectName string `json:"object_name"`
	TypeMeta   struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	} `json:"type_meta"`
	ObjectMeta struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"object_meta"`
	FileName string   `json:"file_name"`
	FileRow  int      `json:"file_row"`
	Checks   *[]check `json:"checks"`
}

// check is one check's result on an object.
type check struct {
	Check struct {
		Name       string `json:"name"`
		ID         string `json:"id"`
		TargetType string `json:"target_type"`
		Comment    string `json:"comment"`
		Optional   bool   `json:"optional"`
	} `json:"check"`
	Grade    int       `json:"grade"`
	Skipped  bool      `json:"skipped"`
	Comments []comment `json:"comments"`
}

// comment is one problem a check found.
type comment struct {
	Path             string `json:"path"`
	Summary          string `json:"summary"`
	Description      string `json:"description"`
	DocumentationURL string `json:"documentation_url"`
}

// Decode reads kube-score JSON output one object at a time and emits a
// finding per comment of each failed check.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "kube-score", InformationURI: toolURI}
	var root string
	if opts != nil {
		root = opts.Root
	}
	return tool, adapt.EachElement(r, name, expected, func(i int, o *object) error {
		if o.Checks == nil || o.ObjectName == "" && o.TypeMeta.Kind == "" {
			return scanners.FormatError(name, expected, fmt.Sprintf("element %d is not a scored object (no object_name, type_meta or checks)", i))
		}
		for _, c := range *o.Checks {
			if c.Skipped || c.Grade >= GradeAllOK {
				continue
			}
			comments := c.Comments
			if len(comments) == 0 {
				comments = []comment{{}}
			}
			for _, cm := range comments {
				f := convert(o, &c, &cm, root)
				f.Tool = tool
				if err := emit(f); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// severity maps a grade below 10.
func severity(grade int) (finding.Severity, string) {
	switch {
	case grade <= GradeCritical:
		return finding.SeverityHigh, "CRITICAL"
	case grade <= GradeWarning:
		return finding.SeverityMedium, "WARNING"
	default:
		return finding.SeverityLow, "ALMOST_OK"
	}
}

// convert turns one comment of a failed check into a finding.
func convert(o *object, c *check, cm *comment, root string) *finding.Finding {
	id := c.Check.ID
	if id == "" {
		id = c.Check.Name
	}
	if id == "" {
		id = "unknown"
	}
	msg := cm.Summary
	if msg == "" {
		msg = c.Check.Comment
	}
	if msg == "" {
		msg = "kube-score check " + id + " failed"
	}
	if cm.Path != "" {
		msg += " (" + cm.Path + ")"
	}
	sev, orig := severity(c.Grade)
	f := &finding.Finding{
		Rule: finding.Rule{
			ID:               id,
			Name:             c.Check.Name,
			ShortDescription: c.Check.Comment,
			HelpURI:          cm.DocumentationURL,
		},
		Message:          msg,
		Category:         finding.CategoryIaC,
		Severity:         sev,
		OriginalSeverity: orig,
		Properties:       map[string]string{"grade": strconv.Itoa(c.Grade)},
	}
	if adapt.SetPath(f, root, o.FileName, adapt.UnresolvedPath) && o.FileRow > 0 {
		f.Location.Region.StartLine = o.FileRow
	}
	f.Location.Resource = resource(o)
	adapt.Props(f,
		"object_name", o.ObjectName,
		"apiVersion", o.TypeMeta.APIVersion,
		"target_type", c.Check.TargetType,
		"path", cm.Path,
		"description", cm.Description,
	)
	if c.Check.Optional {
		f.Properties["optional"] = "true"
	}
	return f
}

// resource returns "Kind/namespace/name", or "Kind/name".
func resource(o *object) string {
	kind, name := o.TypeMeta.Kind, o.ObjectMeta.Name
	switch {
	case name == "":
		return o.ObjectName
	case o.ObjectMeta.Namespace != "":
		return kind + "/" + o.ObjectMeta.Namespace + "/" + name
	default:
		return kind + "/" + name
	}
}
