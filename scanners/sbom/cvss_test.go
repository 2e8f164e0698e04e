package sbom

import "testing"

// TestCVSS3 checks base scores against NVD's published CVSS 3.x scores.
func TestCVSS3(t *testing.T) {
	for _, tc := range []struct {
		vector string
		want   float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3},     // CVE-2020-28500
		{"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2},     // CVE-2021-23337
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", 7.4},     // CVE-2020-8203
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},    // CVE-2021-44228
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},     // a typical XSS
		{"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5},     // CVE-2016-5195-like local read
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/E:F", 9.9}, // temporal metrics ignored
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},
	} {
		got, ok := cvss3Score(tc.vector)
		if !ok || got != tc.want {
			t.Errorf("%s: %v %v, want %v", tc.vector, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSS:3.1/AV:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:N/I:N/A:L"} {
		if _, ok := cvss3Score(bad); ok {
			t.Errorf("%q: ok", bad)
		}
	}
}
