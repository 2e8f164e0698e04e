# Findings in test code are not shipped: suppress them, unless critical
# (a critical finding in a test, such as a live credential in a fixture, is
# still worth a look).
package scanmux

suppress contains "test code: findings in tests and test data are not shipped" if {
	in_test_code(input.finding.location.path)
	input.finding.severity != "critical"
}

in_test_code(path) if endswith(path, "_test.go")

in_test_code(path) if startswith(path, "testdata/")

in_test_code(path) if contains(path, "/testdata/")
