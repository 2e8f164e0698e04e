// Package policy filters findings with policies written in Rego, OPA's
// policy language, evaluated by the embedded OPA library. It is the only
// package of scanmux that imports OPA.
//
// [Load] compiles the policy files once; the [*Policy] it returns is an
// [aggregate.Filter] named "policy".
//
// # Input
//
// Each finding is evaluated with this input document (fields as in package
// finding; package and web only when set; missing strings are "", missing
// lists empty):
//
//	{
//	  "finding": {
//	    "tool": {"name", "version"},
//	    "rule": {"id", "name", "tags": [...]},
//	    "message", "category" ("sast", "secret", "iac", "dependency", "container", "dast", "other"),
//	    "severity" ("critical", "high", "medium", "low", "info"), "originalSeverity",
//	    "precision" ("very-high", "high", "medium", "low", ""),
//	    "cwes": [79], "vulnIds": ["CVE-..."],
//	    "location": {"path", "startLine", "endLine", "resource",
//	                 "package": {"name", "version", "fixedVersion", "ecosystem", "purl", "image"},
//	                 "web": {"url", "method", "parameter"}},
//	    "fingerprints": {...}, "properties": {...},
//	    "suppressed": false,  // suppressed by an earlier filter or the tool
//	    "suppressions": [{"kind", "status", "justification", "source"}]
//	  },
//	  "context": Options.Context
//	}
//
// The policies are type-checked against this shape, so a misspelt field
// is a load error. input.context is whatever the pipeline passes: the
// environment, the branch, an outage flag, newly published vulnerabilities.
// Policies cannot read the clock: by convention the pipeline puts the
// current time in input.context.now as RFC 3339, and policies compare it
// with time.parse_rfc3339_ns(input.context.now).
//
// # Decisions
//
// Every file must be in package scanmux. The decisions are read from these
// rules, in any of the files:
//
//   - suppress: a set of reasons, each a string or {"reason": string,
//     "status": "accepted"|"underReview"|"rejected"} (default accepted).
//     Any reason suppresses the finding, with kind external, the reasons
//     joined by "; " as justification and "policy:FILE" as source.
//   - severity: "critical", "high", "medium", "low" or "info" replaces the
//     finding's severity; severity_reason says why. Two rules giving
//     different values for one finding are an error, as in OPA.
//   - deny: a set of messages; each fails the pipeline.
//
// A full example, in one file:
//
//	package scanmux
//
//	# Findings in tests are not shipped, unless critical.
//	suppress contains "test code" if {
//		endswith(input.finding.location.path, "_test.go")
//		input.finding.severity != "critical"
//	}
//
//	# Fresh advisories are the ones being exploited.
//	severity := "critical" if {
//		input.finding.category == "dependency"
//		some id in input.finding.vulnIds
//		id in input.context.new_vulnerabilities
//	}
//
//	severity_reason := "newly published vulnerability" if severity == "critical"
//
//	# Nothing critical ships to production, unless there is an outage.
//	deny contains msg if {
//		input.context.environment == "production"
//		not input.context.outage
//		input.finding.severity == "critical"
//		not input.finding.suppressed
//		msg := sprintf("critical finding %s blocks the deploy", [input.finding.rule.id])
//	}
//
// More, with tests run by opa test, are in examples/policies.
//
// # Determinism
//
// Built-ins that reach the network (http.send, net.lookup_ip_addr), read
// the clock (time.now_ns; io.jwt.decode_verify and
// crypto.x509.parse_and_verify_certificates, which verify against the
// current time), or are otherwise nondeterministic (rand.intn,
// uuid.rfc4122, io.jwt.encode_sign, opa.runtime) are removed from the
// capabilities the policies are compiled with: a policy that uses one
// fails to load, with an error naming the file, the line and the built-in
// ([ErrForbiddenBuiltin]). A policy therefore cannot send findings
// anywhere, and gives the same decision for the same input.
// [Options].AllowNetwork and AllowClock re-enable the first two groups.
//
// # Cost
//
// A policy cannot take the process with it. Built-ins that generate a
// collection from a few numbers, numbers.range, numbers.range_step and
// net.cidr_expand, are replaced in the policies by copies that refuse to
// generate more than [MaxExpand] elements, stopping the evaluation with an
// [*ExpandError] at the call's FILE:LINE ([ErrExpand]):
// count(numbers.range(1, 300000000)) or net.cidr_expand("10.0.0.0/4")
// would otherwise take gigabytes at once. Each policy file gets a time
// budget over all its evaluations ([Options].Budget, [ErrBudget]); an
// evaluation stops when the context given to Apply is done (the engine
// passes the source's, which its timeout ends); and one that has run for
// 100 ms is watched and stopped when the heap grows by more than
// [Options].MemoryLimit ([ErrMemory]), after which the file is not
// evaluated again. Every error of Apply names the decision rule's
// FILE:LINE, then OPA's (an eval_conflict_error in a function the rule
// calls, say); the engine fails the gate on it.
//
// # Speed
//
// Each decision rule (each suppress, severity, severity_reason or deny rule
// of each file) is evaluated by its own prepared query, and its results are
// cached by the values of the finding fields it reads, directly or through
// the rules and functions it calls; the context is constant. A rule's
// conditions that have no variables and call only built-ins (such as
// input.finding.severity == "critical") form its guard, cached by the
// (fewer) fields they read: when the guard fails the rule is not
// evaluated. Policies are cheapest when decisions depend on few fields: a
// deny message naming the rule is cached per rule, one naming the line is
// evaluated for every finding. The cache is off when AllowNetwork or
// AllowClock is set.
package policy
