// Command lintme has a few deliberate mistakes for staticcheck to report.
package main

import (
	"fmt"
	"io/ioutil"
	"os"
	"strings"
)

// unusedHelper is never called (U1000).
func unusedHelper() int { return 42 }

func readConfig(path string) ([]byte, error) {
	return ioutil.ReadFile(path) // deprecated package (SA1019)
}

type configError struct{ path string }

func (e *configError) Error() string { return "bad config: " + e.path }

func check(path string) *configError {
	if path == "" {
		return &configError{path}
	}
	return nil
}

func main() {
	data, err := readConfig("config.txt")
	data = []byte("default") // the value read is never used (SA4006)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	title := strings.Title("world") // deprecated function (SA1019)
	fmt.Println(title, len(data))
	var cerr error = check("config.txt")
	if cerr == nil { // an interface holding a typed nil is never nil (SA4023)
		fmt.Println("config ok")
	}
	if x := len(os.Args); x == x { // comparing a value with itself (SA4000)
		fmt.Println("always")
	}
}
