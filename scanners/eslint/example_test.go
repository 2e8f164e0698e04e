package eslint_test

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/eslint"
)

func ExampleAdapter_Decode() {
	report := `[{"filePath":"/src/app/routes/user.js","messages":[
	{"ruleId":"security/detect-non-literal-fs-filename","severity":1,
	 "message":"Found readFileSync from package \"fs\" with non literal argument at index 0",
	 "line":6,"column":9,"nodeType":"CallExpression","endLine":6,"endColumn":45},
	{"ruleId":null,"fatal":true,"severity":2,"message":"Parsing error: Unexpected token","line":9,"column":1}],
	"errorCount":1,"warningCount":1,"source":"..."}]`
	_, err := eslint.Adapter{}.Decode(strings.NewReader(report), "eslint.json", &scanners.Options{Root: "/src/app"},
		func(f *finding.Finding) error {
			r := f.Location.Region
			fmt.Printf("%s %s %s (%s) %s:%d:%d-%d\n", f.Rule.ID, f.Category, f.Severity, f.OriginalSeverity,
				f.Location.Path, r.StartLine, r.StartColumn, r.EndColumn)
			return nil
		})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// security/detect-non-literal-fs-filename sast low (1) routes/user.js:6:9-45
	// eslint/parse-error other info (2) routes/user.js:9:1-0
}
