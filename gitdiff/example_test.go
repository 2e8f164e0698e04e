package gitdiff_test

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/gitdiff"
)

func ExampleParse() {
	diff := `diff --git a/main.go b/main.go
--- a/main.go
+++ b/main.go
@@ -10,3 +10,4 @@ func handler() {
 	id := r.FormValue("id")
-	q := "SELECT 1"
+	q := "SELECT * FROM users WHERE id = " + id
+	log.Print(q)
 	return
`
	c, err := gitdiff.Parse(strings.NewReader(diff))
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Files["main.go"].Added, c.Files["main.go"].Hunks)
	fmt.Println(c.Touches(gitdiff.ModeAdded, "main.go", 11, 11), c.Touches(gitdiff.ModeAdded, "main.go", 10, 10))
	fmt.Println(c.Touches(gitdiff.ModeDiffContext, "main.go", 10, 10), c.Touches(gitdiff.ModeFile, "main.go", 99, 99))
	// Output:
	// [{11 12}] [{10 13}]
	// true false
	// true true
}
