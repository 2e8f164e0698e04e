package semgrep_test

import (
	"testing"

	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/semgrep"
)

// FuzzDecode checks that both adapters neither panic nor emit invalid
// findings on any input, and fail only with format errors.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"results":[{"check_id":"a.b","path":"/src/x.py","start":{"line":2,"col":3},"end":{"line":2,"col":9},"extra":{"message":"m","severity":"ERROR","lines":"x","metadata":{"cwe":["CWE-79: x","CWE-20"],"confidence":"HIGH","owasp":"A1"}}}],"errors":[],"version":"1.0.0"}`))
	f.Add([]byte(`{"vulns":[{"title":"t","advisory":{"ruleId":"ssc-1","severity":"HIGH","ecosystem":"npm","references":{"cveIds":["CVE-1"],"cweIds":["CWE-1"],"urls":["https://github.com/advisories/GHSA-aaaa-bbbb-cccc"]}},"matchedDependency":{"name":"p","versionSpecifier":"1"},"dependencyFileLocation":{"path":"a/package-lock.json","startLine":"4"},"triage":{"status":"IGNORED","dismissReason":"FALSE_POSITIVE"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, semgrep.Adapters()...) })
}
