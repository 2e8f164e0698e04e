package trivy_test

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/trivy"
)

func ExampleAdapter_Decode() {
	report := `{
  "SchemaVersion": 2,
  "Trivy": {"Version": "0.58.1"},
  "ArtifactName": ".",
  "ArtifactType": "filesystem",
  "Results": [{
    "Target": "go.mod", "Class": "lang-pkgs", "Type": "gomod",
    "Vulnerabilities": [{
      "VulnerabilityID": "CVE-2023-39325", "PkgName": "golang.org/x/net",
      "InstalledVersion": "v0.7.0", "FixedVersion": "0.17.0",
      "Title": "rapid stream resets can cause excessive work",
      "Severity": "HIGH", "CweIDs": ["CWE-770"]
    }]
  }]
}`
	a := trivy.Adapter{}
	fmt.Println(a.Detect([]byte(report)))
	tool, err := a.Decode(strings.NewReader(report), "trivy.json", nil, func(f *finding.Finding) error {
		fmt.Println(f.Category, f.Severity, f.Rule.ID, f.CWEs, f.Location.Path, f.Location.Package.Ecosystem)
		fmt.Println(f.Message)
		return f.Validate()
	})
	fmt.Println(tool.Name, tool.Version, err)
	// Output:
	// true
	// dependency high CVE-2023-39325 [770] go.mod Go
	// golang.org/x/net v0.7.0 is affected by CVE-2023-39325 (fixed in 0.17.0): rapid stream resets can cause excessive work
	// trivy 0.58.1 <nil>
}
