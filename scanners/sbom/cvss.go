package sbom

import (
	"math"
	"strings"
)

// cvss3Weights are the CVSS 3.x base metrics' weights (CVSS v3.1
// specification, section 7.4). PR's weights depend on scope: see
// cvss3Score.
var cvss3Weights = map[string]map[string]float64{
	"AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
	"AC": {"L": 0.77, "H": 0.44},
	"PR": {"N": 0.85, "L": 0.62, "H": 0.27},
	"UI": {"N": 0.85, "R": 0.62},
	"C":  {"H": 0.56, "L": 0.22, "N": 0},
	"I":  {"H": 0.56, "L": 0.22, "N": 0},
	"A":  {"H": 0.56, "L": 0.22, "N": 0},
}

// cvss3Score returns the base score of a CVSS 3.0 or 3.1 vector
// ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), computed as CVSS
// v3.1 specifies; ok is false for anything else or a vector missing a base
// metric.
func cvss3Score(vector string) (score float64, ok bool) {
	parts := strings.Split(strings.TrimSpace(vector), "/")
	if len(parts) == 0 || (parts[0] != "CVSS:3.1" && parts[0] != "CVSS:3.0") {
		return 0, false
	}
	m := map[string]string{}
	for _, p := range parts[1:] {
		k, v, found := strings.Cut(p, ":")
		if !found {
			return 0, false
		}
		if _, dup := m[k]; !dup {
			m[k] = v
		}
	}
	w := map[string]float64{}
	for k, vals := range cvss3Weights {
		x, known := vals[m[k]]
		if !known {
			return 0, false
		}
		w[k] = x
	}
	var changed bool
	switch m["S"] {
	case "U":
	case "C":
		changed = true
		switch m["PR"] {
		case "L":
			w["PR"] = 0.68
		case "H":
			w["PR"] = 0.5
		}
	default:
		return 0, false
	}
	iss := 1 - (1-w["C"])*(1-w["I"])*(1-w["A"])
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	exploitability := 8.22 * w["AV"] * w["AC"] * w["PR"] * w["UI"]
	switch {
	case impact <= 0:
		return 0, true
	case changed:
		return roundUp(min(1.08*(impact+exploitability), 10)), true
	}
	return roundUp(min(impact+exploitability, 10)), true
}

// roundUp is CVSS v3.1's Roundup: the smallest number of one decimal
// place not below x, robust to floating-point error (Appendix A).
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}
