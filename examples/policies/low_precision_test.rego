package scanmux_test

import data.scanmux

sast(precision, severity) := {"category": "sast", "precision": precision, "severity": severity}

test_low_precision_downgraded if {
	scanmux.severity == "low" with input.finding as sast("low", "high")
	scanmux.severity == "low" with input.finding as sast("low", "critical")
	scanmux.severity_reason == "low-precision SAST rule: mostly false positives" with input.finding as sast("low", "medium")
}

test_other_precision_unchanged if {
	not scanmux.severity with input.finding as sast("high", "high")
	not scanmux.severity with input.finding as sast("", "high")
}

test_already_low_unchanged if {
	not scanmux.severity with input.finding as sast("low", "low")
	not scanmux.severity with input.finding as sast("low", "info")
}

test_other_category_unchanged if {
	not scanmux.severity with input.finding as {"category": "iac", "precision": "low", "severity": "high"}
}
