package plugin

import (
	"runtime"
	"strings"
)

// basicEnv names the host's environment variables every plugin gets (see
// [Config].PassEnv): what programs need to find commands, temporary
// files, the user's home, the locale and the network, and nothing that
// holds a credential by convention.
var basicEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "LC_*",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
	// Windows
	"SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT", "TEMP", "TMP",
	"USERPROFILE", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA", "PROGRAMFILES",
}

// pluginEnv returns a plugin's environment: the entries of host whose
// names basicEnv or pass allows, then set.
func pluginEnv(host, pass, set []string) []string {
	allowed := func(name string) bool {
		for _, lists := range [][]string{basicEnv, pass} {
			for _, p := range lists {
				if envNameMatch(p, name) {
					return true
				}
			}
		}
		return false
	}
	var env []string
	for _, kv := range host {
		name, _, ok := strings.Cut(kv, "=")
		if ok && name != "" && allowed(name) {
			env = append(env, kv)
		}
	}
	return append(env, set...)
}

// envNameMatch reports whether the variable name matches pattern: the
// same name, or, for a pattern ending in "*", a name that starts with the
// rest. Names are case-insensitive on Windows, as its environment is.
func envNameMatch(pattern, name string) bool {
	if runtime.GOOS == "windows" {
		pattern, name = strings.ToUpper(pattern), strings.ToUpper(name)
	}
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, prefix)
	}
	return pattern == name
}
