// Command scanmux normalizes security-scanner findings and writes
// GitHub-ready SARIF.
//
// Usage:
//
//	scanmux merge -o OUT.sarif [--root DIR] [--category C] [--profile github|full] FILE...
//	scanmux version
//
// Exit codes: 0 success, 1 gate failure (reserved), 2 usage, configuration
// or input error.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
