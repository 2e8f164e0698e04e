// Command vulnmod parses an HTML document with golang.org/x/net/html at
// v0.7.0, a version with known vulnerabilities, for govulncheck to find.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/net/html"
)

func main() {
	doc, err := html.Parse(strings.NewReader("<p>hello</p>"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(doc.FirstChild != nil)
}
