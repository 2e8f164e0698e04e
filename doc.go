// Package scanmux is the centre of a DevSecOps pipeline: it runs security
// scanners of every kind as plugins, turns everything they report into one
// normalized finding model, and writes SARIF 2.1.0 that GitHub code
// scanning accepts.
//
// This root package holds only this overview; the work is done by its
// sub-packages.
//
// # The finding model
//
// Package [github.com/scanmux/scanmux/finding] defines [finding.Finding]:
// one issue reported by one tool, with its [finding.Rule] (what is the same
// for every occurrence), a normalized [finding.Severity] next to the tool's
// own, a [finding.Category] (sast, secret, iac, dependency, container, dast,
// other), CWE and vulnerability ids, and a [finding.Location] that fits the
// kind: a source region, an IaC resource, a package in a manifest or image,
// or a URL. Helpers normalize severities from every vocabulary scanners use
// ([finding.ParseSeverity], [finding.SeverityFromScore]), paths from every
// form they write ([finding.NormalizePath]), and compute GitHub's
// primaryLocationLineHash ([finding.LineHashes]).
//
// # Plugins
//
// Package [github.com/scanmux/scanmux/plugin] runs scanners behind one
// interface, [plugin.Scanner], whether they are compiled in or run as
// separate processes. A plugin's main is one line:
//
//	func main() { plugin.Serve(myScanner{}) }
//
// and a host launches it with [plugin.Open], which returns a
// [*plugin.Client] that is itself a [plugin.Scanner]:
//
//	c, err := plugin.Open(ctx, "./scanmux-plugin-bannedcalls", &plugin.Config{SHA256: pinned})
//	if err != nil { ... }
//	defer c.Close()
//	err = c.Scan(ctx, &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: dir}},
//		plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error { ...; return nil }})
//
// Findings stream as they are found. A plugin that crashes costs only its
// own scan: the findings it sent are kept and the error is a
// [*plugin.CrashError] with its exit status and last stderr lines. The wire
// protocol is defined in proto/scanmux/plugin/v1/scanner.proto.
//
// # SARIF
//
// Package [github.com/scanmux/scanmux/sarif] reads any tool's SARIF into
// findings, streaming, and writes findings as SARIF that GitHub accepts, with
// its limits enforced and byte-identical output for the same input.
//
// # Layers
//
// The packages, from the bottom up: each imports only packages of the
// lines before its own (named in parentheses where it is not obvious), so
// there are no cycles; deps_test.go checks that the core stays light.
//
//   - finding: the model, standard library only.
//   - cwe, sourcefile, project, codescanning, internal/termsafe,
//     internal/jsonlimit and internal/dockerfile (no package of this
//     module), toolinfo and containerimage (finding, internal/dockerfile):
//     helpers of the layers that follow.
//   - sarif and its internal packages (finding, sourcefile, toolinfo):
//     reading and writing SARIF.
//   - plugin (finding, the generated proto package): the only core
//     package that links gRPC, go-plugin and yamux.
//   - aggregate (finding, sarif, sourcefile, toolinfo, cwe, its
//     internal/idhash): the engine. It does not import plugin, so a
//     program that merges SARIF with aggregate and sarif links no gRPC.
//   - aggregate/suppress, aggregate/baseline, aggregate/policy (OPA),
//     aggregate/pluginsource (plugin): stages and sources that plug into
//     the engine through [aggregate.Filter], [aggregate.Baseline] and
//     [aggregate.Source].
//   - report and report/... (aggregate, finding, report/internal/view;
//     html also sourcefile and toolinfo): output formats of a report;
//     gitdiff and internal/progress (aggregate).
//   - reportdiff (aggregate/baseline, sarif, report/markdown).
//   - scanners/...: one package per tool (finding, plugin, aggregate, sarif).
//   - cmd/scanmux: any of the above. Besides the engine's types, the CLI
//     uses finding directly: its own sources (plugin processes, built-in
//     scanners) and the wrappers of sources (a file filter, repository
//     path prefixes, code-quality tools: category quality, at most low)
//     emit or change *finding.Finding, and --fail-on is parsed with
//     [finding.ParseSeverity].
package scanmux
