package reportdiff_test

import (
	"fmt"

	"github.com/scanmux/scanmux/reportdiff"
)

func ExampleCompare() {
	// Two scans of the same code: here the same log twice.
	res, err := reportdiff.Compare("../report/testdata/vulnerable-app.sarif", "../report/testdata/vulnerable-app.sarif", "")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Summary())
	// Output:
	// 0 new, 0 fixed, 0 updated, 61 unchanged
}
