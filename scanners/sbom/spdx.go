package sbom

import (
	"bufio"
	"encoding/json"
	"io"
	"regexp"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// spdxExpected names the SPDX format in errors.
const spdxExpected = "SPDX 2 document (JSON or tag-value)"

// SPDX recognizes SPDX 2 documents, JSON and tag-value, and refuses them
// with an error wrapping [ErrNotFindings]: they list packages, not
// vulnerabilities. Its name is "spdx". The zero value is ready to use.
type SPDX struct{}

// Name returns "spdx".
func (SPDX) Name() string { return "spdx" }

var (
	// spdxJSONRE matches SPDX JSON's version key.
	spdxJSONRE = regexp.MustCompile(`"spdxVersion"\s*:\s*"SPDX-`)
	// spdxTagRE matches the start of a tag-value document: comments, then
	// the SPDXVersion tag, which comes first.
	spdxTagRE = regexp.MustCompile(`^(#[^\n]*\n\s*)*SPDXVersion:\s*SPDX-`)
)

// Detect reports whether head starts an SPDX 2 document: a JSON object
// with "spdxVersion": "SPDX-...", or tag-value text whose first tag is
// SPDXVersion.
func (SPDX) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	if ok {
		return spdxJSONRE.Match(h)
	}
	return spdxTagRE.Match(h)
}

// Decode reads the SPDX document's version and returns an error wrapping
// [ErrNotFindings] that names it, or a format error for anything that is
// not an SPDX 2 document. It never emits findings. The tool is the
// document's first creator tool ("Tool: NAME-VERSION"), or "spdx".
func (SPDX) Decode(r io.Reader, name string, _ *scanners.Options, _ func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "spdx"}
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return tool, scanners.FormatError(name, spdxExpected, "empty input")
	}
	var version string
	var creators []string
	if first == '{' {
		var doc struct {
			SPDXVersion  string `json:"spdxVersion"`
			CreationInfo struct {
				Creators []string `json:"creators"`
			} `json:"creationInfo"`
		}
		if err := json.NewDecoder(br).Decode(&doc); err != nil {
			return tool, scanners.FormatError(name, spdxExpected, err.Error())
		}
		version, creators = doc.SPDXVersion, doc.CreationInfo.Creators
	} else {
		sc := bufio.NewScanner(br)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			tag, value, ok := strings.Cut(sc.Text(), ":")
			switch {
			case !ok:
			case tag == "SPDXVersion" && version == "":
				version = strings.TrimSpace(value)
			case tag == "Creator":
				creators = append(creators, strings.TrimSpace(value))
			}
		}
		if err := sc.Err(); err != nil {
			return tool, scanners.FormatError(name, spdxExpected, err.Error())
		}
	}
	if !strings.HasPrefix(version, "SPDX-") {
		return tool, scanners.FormatError(name, spdxExpected, "no SPDX version")
	}
	for _, c := range creators {
		if t, ok := strings.CutPrefix(c, "Tool:"); ok {
			tool = creatorTool(strings.TrimSpace(t))
			break
		}
	}
	return tool, &notFindingsError{file: name, what: version}
}

// creatorToolRE splits an SPDX creator tool, "NAME-VERSION", at the last
// hyphen before a version: a digit, "v" and a digit, or "dev" (trivy
// built from source).
var creatorToolRE = regexp.MustCompile(`^(.+)-(v?[0-9][^-]*|dev)$`)

// creatorTool returns the tool of an SPDX creator "Tool: trivy-0.74.0".
func creatorTool(s string) finding.Tool {
	if m := creatorToolRE.FindStringSubmatch(s); m != nil {
		return finding.Tool{Name: m[1], Version: m[2]}
	}
	return finding.Tool{Name: s}
}
