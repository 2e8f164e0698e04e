package main

// The output formats the CLI offers besides SARIF: each package registers
// its own with package report from an init function. A new format
// package is added here.
import (
	_ "github.com/scanmux/scanmux/report/annotations"
	_ "github.com/scanmux/scanmux/report/codequality"
	_ "github.com/scanmux/scanmux/report/csv"
	_ "github.com/scanmux/scanmux/report/gitlab"
	_ "github.com/scanmux/scanmux/report/html"
	_ "github.com/scanmux/scanmux/report/jsonout"
	_ "github.com/scanmux/scanmux/report/junit"
	_ "github.com/scanmux/scanmux/report/markdown"
	_ "github.com/scanmux/scanmux/report/rdjsonl"
	_ "github.com/scanmux/scanmux/report/table"
)
