package adapt

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// LocalDB says where a vulnerability scanner (osv-scanner, trivy, grype)
// keeps a local database, so that its runner can use one without being
// told: an offline machine needs no option when the database is where
// the tool itself would look, and a run that cannot reach the tool's
// database says which option to set.
//
// Two options of scanners.options drive it: "<tool>.db", the directory
// of a database (Dir), and "<tool>.offline": auto (the default) runs on
// the local database when one is found and lets the tool download its own
// otherwise; true requires a local database; false always lets the tool
// use the network.
type LocalDB struct {
	// Tool is the tool's name, the prefix of its options.
	Tool string
	// Env is the environment variable the tool reads its database
	// directory from, if any.
	Env string
	// Default is the directory the tool uses when neither the option nor
	// Env is set, relative to the user's cache directory
	// (os.UserCacheDir; "." for that directory itself).
	Default string
	// Layout describes a database directory for messages, e.g.
	// "DIR/db/trivy.db".
	Layout string
	// Holds reports whether dir holds a database.
	Holds func(dir string) bool
}

// DBOption is the name of the option that names a database directory.
func (l LocalDB) DBOption() string { return l.Tool + ".db" }

// OfflineOption is the name of the option that says whether the tool
// may use the network.
func (l LocalDB) OfflineOption() string { return l.Tool + ".offline" }

// Find returns the directory of the local database to run on, or "" to
// let the tool use the network, as the options say (see [LocalDB]). It
// fails, naming the option, when the db option names a directory without
// a database, when offline is true and there is none, and on an offline
// value other than auto, true or false.
func (l LocalDB) Find(opts map[string]string) (string, error) {
	mode := strings.ToLower(strings.TrimSpace(opts[l.OfflineOption()]))
	switch mode {
	case "", "auto", "true", "false":
	default:
		return "", fmt.Errorf("scanners.options %s: %q: want auto, true or false", l.OfflineOption(), opts[l.OfflineOption()])
	}
	if dir := opts[l.DBOption()]; dir != "" {
		if !l.Holds(dir) {
			return "", fmt.Errorf("scanners.options %s: %s holds no %s database (%s)", l.DBOption(), dir, l.Tool, l.Layout)
		}
		if mode == "false" {
			return "", nil
		}
		return dir, nil
	}
	if mode == "false" {
		return "", nil
	}
	for _, dir := range l.candidates() {
		if l.Holds(dir) {
			return dir, nil
		}
	}
	if mode == "true" {
		return "", fmt.Errorf("%s is true but no local database was found in %s: set %s to a directory of one (%s)",
			l.OfflineOption(), strings.Join(l.candidates(), " or "), l.DBOption(), l.Layout)
	}
	return "", nil
}

// candidates are where the tool looks for its database by itself.
func (l LocalDB) candidates() []string {
	var out []string
	if l.Env != "" {
		if v := os.Getenv(l.Env); v != "" {
			out = append(out, v)
		}
	}
	if l.Default != "" {
		if c, err := os.UserCacheDir(); err == nil {
			out = append(out, filepath.Join(c, l.Default))
		}
	}
	return out
}

// unreachable matches what Go tools log when a host cannot be reached.
var unreachable = regexp.MustCompile(`(?i)no such host|dial tcp|connection refused|network is unreachable|i/o timeout|tls handshake timeout|name resolver error|no route to host`)

// Unreachable returns an error naming the db option when the tool's
// stderr says it could not reach the network (to fetch its database), or
// nil.
func (l LocalDB) Unreachable(stderr string) error {
	for _, line := range strings.Split(stderr, "\n") {
		if line = strings.TrimSpace(line); unreachable.MatchString(line) {
			if len(line) > 300 {
				line = line[:300] + "…"
			}
			return fmt.Errorf("%s could not reach its vulnerability database (%s): without network, give it a local one with scanners.options %s (%s)",
				l.Tool, line, l.DBOption(), l.Layout)
		}
	}
	return nil
}

// HasFile returns a Holds function that reports whether dir holds a file
// matching one of the patterns (filepath.Glob patterns relative to dir).
func HasFile(patterns ...string) func(dir string) bool {
	return func(dir string) bool {
		for _, p := range patterns {
			if m, _ := filepath.Glob(filepath.Join(dir, p)); len(m) > 0 {
				return true
			}
		}
		return false
	}
}
