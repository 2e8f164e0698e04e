# SAST rules of low precision are mostly false positives: they still show
# up, but as low, so that they neither page anyone nor fail a gate.
package scanmux

low_precision_sast if {
	input.finding.category == "sast"
	input.finding.precision == "low"
	input.finding.severity in {"critical", "high", "medium"}
}

severity := "low" if low_precision_sast

severity_reason := "low-precision SAST rule: mostly false positives" if low_precision_sast
