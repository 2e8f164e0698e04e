// Command audit parses an HTML report and hands it to a hook.
package main

import (
	"crypto/md5"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/net/html"

	"example.com/audit/internal/report"
)

func main() {
	data, err := os.ReadFile(report.Path(os.Args[1], os.Args[2]))
	if err != nil {
		os.Exit(1)
	}
	doc, err := html.Parse(strings.NewReader(string(data)))
	if err != nil {
		fmt.Printf(err.Error())
		os.Exit(1)
	}
	sum := md5.Sum(data)
	_ = exec.Command(os.Args[3], fmt.Sprintf("%x", sum)).Run()
	fmt.Println(doc.FirstChild != nil)
}
