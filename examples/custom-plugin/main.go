// Command custom-plugin is a scanmux plugin that flags banned function calls
// and patterns in a source tree: the kind of scanner a security team writes
// in an afternoon to enforce its own rules. Build it and point a host at it:
//
//	go build -o scanmux-plugin-bannedcalls ./examples/custom-plugin
//	go run ./examples/host -plugin ./scanmux-plugin-bannedcalls ./examples/custom-plugin/testdata/sample
//
// The whole plugin side is the call to plugin.Serve below; the scanner
// itself is in scanner.go.
package main

import "github.com/scanmux/scanmux/plugin"

func main() { plugin.Serve(&BannedCalls{Rules: DefaultRules}) }
