package checkstyle_test

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/checkstyle"
)

func ExampleAdapter_Decode() {
	// The start of shellcheck -f checkstyle's report on
	// ../shellcheck/testdata/vuln.sh.
	report := `<?xml version='1.0' encoding='UTF-8'?>
<checkstyle version='4.3'>
<file name='vuln.sh' >
<error line='6' column='9' severity='warning' message='Use &#34;&#36;&#123;var&#58;&#63;&#125;&#34; to ensure this never expands to /&#42; .' source='ShellCheck.SC2115' />
</file>
</checkstyle>`
	tool, err := checkstyle.Adapter{}.Decode(strings.NewReader(report), "vuln.xml", nil, func(f *finding.Finding) error {
		fmt.Println(f.Tool.Name, f.Rule.ID, f.Severity, f.Location.Path, f.Location.Region.StartLine, f.Location.Region.StartColumn)
		fmt.Println(f.Message)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tool.Name)
	// Output:
	// shellcheck SC2115 low vuln.sh 6 9
	// Use "${var:?}" to ensure this never expands to /* .
	// shellcheck
}
