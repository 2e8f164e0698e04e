package finding

import "testing"

func TestRegionText(t *testing.T) {
	r := Region{StartLine: 12, StartColumn: 5, EndLine: 12, EndColumn: 20}
	if s := RegionText(r); s != "12:5-12:20" {
		t.Errorf("RegionText = %q", s)
	}
	if got, ok := ParseRegionText("12:5-12:20"); !ok || got != r {
		t.Errorf("ParseRegionText = %+v, %v", got, ok)
	}
	for _, bad := range []string{"", "12", "0:0-0:0", "a:1-2:3", "1:1-2"} {
		if _, ok := ParseRegionText(bad); ok {
			t.Errorf("ParseRegionText(%q) ok", bad)
		}
	}
}
