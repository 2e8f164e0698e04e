//go:build unix

package progress

import (
	"os"
	"syscall"
	"unsafe"
)

// termWidth returns the width of the terminal f is, 0 when unknown.
func termWidth(f *os.File) int {
	var ws struct{ row, col, x, y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0
	}
	return int(ws.col)
}
