// Command audit parses an HTML report and hands it to a hook.
package main

import (
	"crypto/md5"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/net/html"
)

func main() {
	doc, err := html.Parse(strings.NewReader(os.Args[1]))
	if err != nil {
		fmt.Printf(err.Error())
		os.Exit(1)
	}
	sum := md5.Sum([]byte(os.Args[1]))
	_ = exec.Command(os.Args[2], fmt.Sprintf("%x", sum)).Run()
	fmt.Println(doc.FirstChild != nil)
}
