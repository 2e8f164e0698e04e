//go:build !unix

package plugin

import "os/exec"

// setProcessGroup does nothing: process groups are a Unix notion. On
// other systems only the plugin's own process is killed.
func setProcessGroup(*exec.Cmd) {}

// killGroup does nothing (see setProcessGroup).
func killGroup(int) {}
