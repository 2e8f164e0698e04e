package scanmux_test

import data.scanmux

finding(path, severity) := {"location": {"path": path}, "severity": severity, "category": "sast", "rule": {"id": "G104"}}

test_go_test_file_suppressed if {
	"test code: findings in tests and test data are not shipped" in scanmux.suppress with input.finding as finding("pkg/x/x_test.go", "high")
}

test_testdata_suppressed if {
	count(scanmux.suppress) == 1 with input.finding as finding("internal/a/testdata/key.pem", "medium")
	count(scanmux.suppress) == 1 with input.finding as finding("testdata/key.pem", "low")
}

test_critical_in_test_kept if {
	count(scanmux.suppress) == 0 with input.finding as finding("pkg/x/x_test.go", "critical")
}

test_production_code_kept if {
	count(scanmux.suppress) == 0 with input.finding as finding("pkg/x/x.go", "high")
	count(scanmux.suppress) == 0 with input.finding as finding("pkg/x/test.go", "high")
	count(scanmux.suppress) == 0 with input.finding as finding("mytestdata/x.go", "high")
}
