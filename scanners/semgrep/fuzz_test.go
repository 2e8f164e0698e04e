package semgrep_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/semgrep"
)

// FuzzDecode checks that both adapters neither panic nor emit invalid
// findings on any input, and fail only with format errors.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"results":[{"check_id":"a.b","path":"/src/x.py","start":{"line":2,"col":3},"end":{"line":2,"col":9},"extra":{"message":"m","severity":"ERROR","lines":"x","metadata":{"cwe":["CWE-79: x","CWE-20"],"confidence":"HIGH","owasp":"A1"}}}],"errors":[],"version":"1.0.0"}`))
	f.Add([]byte(`{"vulns":[{"title":"t","advisory":{"ruleId":"ssc-1","severity":"HIGH","ecosystem":"npm","references":{"cveIds":["CVE-1"],"cweIds":["CWE-1"],"urls":["https://github.com/advisories/GHSA-aaaa-bbbb-cccc"]}},"matchedDependency":{"name":"p","versionSpecifier":"1"},"dependencyFileLocation":{"path":"a/package-lock.json","startLine":"4"},"triage":{"status":"IGNORED","dismissReason":"FALSE_POSITIVE"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, a := range semgrep.Adapters() {
			a.Detect(b)
			_, err := a.Decode(bytes.NewReader(b), "fuzz", &scanners.Options{Root: "/src"}, func(fd *finding.Finding) error {
				if err := fd.Validate(); err != nil {
					t.Errorf("%s: invalid finding %+v: %v", a.Name(), fd, err)
				}
				return nil
			})
			if err != nil && !errors.Is(err, scanners.ErrFormat) {
				t.Errorf("%s: error %v does not wrap ErrFormat", a.Name(), err)
			}
		}
	})
}
