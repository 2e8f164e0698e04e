// Package pluginv1 is the generated Go code of protocol v1 between scanmux
// hosts and scanner plugins (scanner.proto). Most programs use package
// github.com/scanmux/scanmux/plugin instead, which wraps it.
package pluginv1

//go:generate sh -c "cd ../../../.. && buf generate"
