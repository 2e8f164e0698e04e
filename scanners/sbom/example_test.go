package sbom_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/sbom"
)

func ExampleCycloneDX_Decode() {
	// osv-scanner's CycloneDX output: components and the vulnerabilities
	// found in them (cut down from testdata/osv-scanner-v2.6.0-cyclonedx.json).
	report := `{"bomFormat":"CycloneDX","specVersion":"1.6",
"components":[{"bom-ref":"pkg:npm/lodash@4.17.15","type":"library","name":"lodash","version":"4.17.15","purl":"pkg:npm/lodash@4.17.15"}],
"vulnerabilities":[{"id":"GHSA-35jh-r3h4-6jhm","references":[{"id":"CVE-2021-23337","source":{}}],
 "ratings":[{"method":"CVSSv3","vector":"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
 "description":"Command Injection in lodash","affects":[{"ref":"pkg:npm/lodash"}]}]}`
	_, err := sbom.CycloneDX{}.Decode(strings.NewReader(report), "bom.json", nil, func(f *finding.Finding) error {
		fmt.Println(f.VulnIDs, f.Severity, f.Location.Package.PURL)
		fmt.Println(f.Message)
		return nil
	})
	fmt.Println(err)

	// An SBOM without vulnerabilities is not a findings report.
	_, err = sbom.CycloneDX{}.Decode(strings.NewReader(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}`), "sbom.json", nil, nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, sbom.ErrNotFindings))
	// Output:
	// [GHSA-35jh-r3h4-6jhm CVE-2021-23337] high pkg:npm/lodash@4.17.15
	// lodash 4.17.15 is affected by GHSA-35jh-r3h4-6jhm: Command Injection in lodash
	// <nil>
	// sbom.json: this is an SBOM (CycloneDX 1.5), not a findings report
	// true
}
