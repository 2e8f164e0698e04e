package policy

import "testing"

func TestZZ(t *testing.T) {
	p := mustLoad(t, []string{examplesDir}, &Options{Context: prodContext})
	t.Log(p.needs)
	fs := benchFindings(100000)
	keys := map[string]bool{}
	for _, f := range fs {
		w := walker{}
		w.finding(f, p.finding)
		keys[string(w.key)] = true
	}
	t.Log(len(keys))
}
