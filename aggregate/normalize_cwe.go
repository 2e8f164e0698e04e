package aggregate

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// PropCWEUntrusted is the Properties key under which the normalize stage
// lists, comma-separated, the CWE ids of a finding that are not trusted for
// deduplication: CWE categories, views and deprecated entries (see
// [CWEUntrusted]), ids above [maxCWE] and 0.
const PropCWEUntrusted = "scanmux/cwe-untrusted"

// maxCWE is the highest CWE id taken as a possible weakness. CWE 4.x ends
// in the low 1400s, so anything above is a typo or another scheme's number.
const maxCWE = 1500

// cweNotWeakness lists CWE ids that tools emit although they are not
// weaknesses: categories (PROHIBITED for mapping by MITRE), views and
// deprecated entries. Two findings sharing only one of these say little
// about being the same issue ("Configuration", "Cryptographic Issues").
// The list is the common ones, not the whole catalog.
var cweNotWeakness = map[int]string{
	1: "deprecated", 2: "category", 16: "category", 17: "deprecated category",
	18: "deprecated category", 19: "category", 21: "deprecated category",
	71: "deprecated", 92: "deprecated", 132: "deprecated", 133: "category",
	136: "category", 137: "category", 139: "deprecated", 169: "deprecated",
	189: "category", 199: "category", 217: "deprecated", 218: "deprecated",
	225: "deprecated", 249: "deprecated", 254: "category", 255: "category",
	264: "category", 265: "category", 275: "category", 292: "deprecated",
	310: "category", 320: "category", 355: "category", 361: "category",
	371: "category", 373: "deprecated", 387: "category", 388: "category",
	389: "category", 398: "category", 399: "category", 411: "category",
	417: "category", 423: "deprecated", 429: "category", 438: "category",
	443: "deprecated", 452: "category", 458: "deprecated", 465: "category",
	485: "category", 503: "category", 516: "deprecated", 533: "deprecated",
	534: "deprecated", 542: "deprecated", 545: "deprecated", 557: "category",
	559: "deprecated", 569: "category", 592: "deprecated", 596: "deprecated",
	629: "view", 630: "deprecated", 631: "deprecated", 632: "deprecated",
	633: "deprecated", 634: "deprecated", 635: "view", 658: "view", 659: "view",
	660: "view", 661: "view", 677: "view", 679: "deprecated", 699: "view",
	700: "view", 711: "view", 769: "deprecated", 1000: "view", 1003: "view",
	1006: "category", 1008: "view", 1009: "category", 1010: "category",
	1011: "category", 1012: "category", 1013: "category", 1014: "category",
	1015: "category", 1016: "category", 1017: "category", 1018: "category",
	1019: "category", 1020: "category", 1026: "view", 1027: "category",
	1028: "category", 1029: "category", 1030: "category", 1031: "category",
	1032: "category", 1033: "category", 1034: "category", 1035: "category",
	1036: "category", 1037: "category", 1187: "deprecated", 1194: "view",
	1200: "view", 1337: "view", 1344: "view", 1345: "category", 1346: "category",
	1347: "category", 1348: "category", 1349: "category", 1350: "view",
	1352: "category", 1353: "category", 1354: "category", 1355: "category",
	1356: "category", 1387: "view", 1400: "view",
}

// CWEUntrusted reports whether CWE id n is not trusted as a weakness, and
// why: "category", "view", "deprecated", "unknown" (0 or above 1500).
func CWEUntrusted(n int) (reason string, untrusted bool) {
	if n <= 0 || n > maxCWE {
		return "unknown", true
	}
	r, ok := cweNotWeakness[n]
	return r, ok
}

var (
	// cweTagRE matches CWE references in tags and property values:
	// "external/cwe/cwe-79", "CWE-79", "cwe_79", "CWE:79", "CWE 79".
	cweTagRE = regexp.MustCompile(`(?i)\bcwe[-_: ]?0*(\d{1,6})\b`)
	// cweTextRE matches CWE mentions in prose: "CWE-89".
	cweTextRE = regexp.MustCompile(`(?i)\bcwe-0*(\d{1,6})\b`)
	// digitsRE matches bare numbers in a CWE-named property ("79",
	// "[79, 89]").
	digitsRE = regexp.MustCompile(`\b\d{1,6}\b`)
)

// appendCWEMatches appends the ids re finds in s.
func appendCWEMatches(dst []int, re *regexp.Regexp, s string) []int {
	if !strings.Contains(strings.ToLower(s), "cwe") {
		return dst
	}
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil {
			dst = append(dst, n)
		}
	}
	return dst
}

// cwesFromProperty returns the CWE ids in a property whose key names CWEs
// ("cwe", "cwe_ids", "CWE"): references, or bare numbers.
func cwesFromProperty(v string) []int {
	if ids := appendCWEMatches(nil, cweTagRE, v); len(ids) > 0 {
		return ids
	}
	var ids []int
	for _, m := range digitsRE.FindAllString(v, -1) {
		if n, err := strconv.Atoi(m); err == nil {
			ids = append(ids, n)
		}
	}
	return ids
}

// splitCWEs sorts and deduplicates ids and splits them into the ones kept
// in Finding.CWEs (positive) and the untrusted ones (see [CWEUntrusted]).
func splitCWEs(ids []int) (kept, untrusted []int) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, n := range ids {
		if n > 0 {
			kept = append(kept, n)
		}
		if _, bad := CWEUntrusted(n); bad {
			untrusted = append(untrusted, n)
		}
	}
	return kept, untrusted
}

// trustedCWEs returns the ids of cwes that deduplication may use.
func trustedCWEs(cwes []int) []int {
	var out []int
	for _, n := range cwes {
		if _, bad := CWEUntrusted(n); !bad {
			out = append(out, n)
		}
	}
	return out
}

// formatInts joins ids with commas.
func formatInts(ids []int) string {
	var b strings.Builder
	for i, n := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
