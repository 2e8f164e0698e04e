package cppcheck_test

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/cppcheck"
)

func ExampleAdapter_Decode() {
	report := `<?xml version="1.0" encoding="UTF-8"?>
<results version="2">
    <cppcheck version="2.10"/>
    <errors>
        <error id="doubleFree" severity="error" msg="Memory pointed to by &apos;mem&apos; is freed twice." verbose="Memory pointed to by &apos;mem&apos; is freed twice." cwe="415" file0="src/vuln.c">
            <location file="src/vuln.c" line="32" column="5"/>
            <location file="src/vuln.c" line="31" column="5"/>
            <symbol>mem</symbol>
        </error>
    </errors>
</results>`
	tool, err := cppcheck.Adapter{}.Decode(strings.NewReader(report), "cppcheck.xml", nil, func(f *finding.Finding) error {
		fmt.Println(f.Rule.ID, f.Severity, f.CWEs, f.Location.Path, f.Location.Region.StartLine)
		fmt.Println(f.Message)
		for _, r := range f.Related {
			fmt.Println("related:", r.Path, r.Region.StartLine)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tool.Name, tool.Version)
	// Output:
	// doubleFree high [415] src/vuln.c 32
	// Memory pointed to by 'mem' is freed twice.
	// related: src/vuln.c 31
	// cppcheck 2.10
}
