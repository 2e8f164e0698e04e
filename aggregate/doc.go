// Package aggregate is scanmux's engine. It runs sources of findings
// (plugins, in-process scanners, SARIF files, native reports) concurrently,
// and passes what they produce through stages:
//
//	normalize -> filters (inline suppressions, ignore file, policy) -> dedup -> identity -> baseline -> gate -> report
//
// Filters mark findings, they never drop them: a suppressed finding stays in
// the report with its reason. The stages that need heavy dependencies (the
// OPA policy engine) live in sub-packages and plug in through [Filter], so
// importing this package stays light; so does the adapter of plugins
// (package plugin, with gRPC) to a [Source], aggregate/pluginsource.
//
// # Running
//
// [Run] starts the sources, at most [Options.Concurrency] at a time
// (errgroup), each under its own timeout. A source hands findings to its
// emit function as it finds them; emit runs the finding through
// normalization (paths made relative to the root, severities, CWEs,
// categories checked; an invalid finding is dropped with a warning naming
// the source), then through every filter in order under the source's
// context, then into the dedup index. A source that fails keeps what it
// emitted, marked partial, and gets a [SourceStatus]; the run goes on.
// [MapSource] and [FuncSource] make sources without a type of their own.
//
// # Deduplication
//
// Matching is a symmetric relation between two reports, by kind of
// finding (source code and IaC, secrets, packages, web endpoints): the
// rules are listed on match in dedup_rules.go and explained per merge by
// [Report.Explain]. Exact repeats (one tool, rule and place) collapse on
// arrival. Each report is listed under index keys (its file, package or
// endpoint), so that only reports sharing a key are compared; since two
// reports match only at one place, the index is split in tables by place,
// each under its own lock and finished on its own. When the
// sources are done, a report whose matches do not all match each other is
// ambiguous and kept alone (with a warning); the others form groups in
// which every report matches every other, and each group becomes one
// finding whose primary is the best report by a total order (severity,
// precision of the location, tool name), with the rest in
// [finding.Finding.Also]. The result does not depend on the order in which
// reports arrived.
//
// # Identity, order, baseline, gate
//
// [Identify] gives each finding an identity that survives edits around it
// (see its documentation for the keys by kind); findings are then sorted
// by a total order (location, tool, rule, severity, message, then every
// other field), so that the same inputs give the same report. A [Baseline] marks findings new, unchanged or updated and lists
// those gone; the [Gate] decides the exit code from the unsuppressed
// findings, the failed sources and the filters' denials.
//
// # Speed
//
// The engine is written for clarity first. Mechanisms kept because an
// A/B run of the pipeline benchmark showed them worth at least 5% of
// time or memory (bench/README.md): the dedup entries allocated in
// blocks, and the index split in tables by place; the identity hashing
// of package internal/idhash; the policy's decision cache, guards and
// rewritten rules (aggregate/policy); and the steps of finishing a run
// that split without changing their result (the sort in two halves,
// identity keys and hashes, the dedup conflict check), run in parts on
// all cores by one errgroup helper (inParts), since nothing else runs
// once the sources are done. The library calls no garbage collection and
// sets no GOGC; the CLI does (cmd/scanmux/gc.go).
package aggregate
