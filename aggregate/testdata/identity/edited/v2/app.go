package app

import (
	"crypto/md5"
	"os/exec"
)

func Checksum(b []byte) [16]byte {
	return md5.Sum(b)
}

func Run(name string) error {
	return exec.Command(name, "--verbose").Run()
}

func CloseA(c interface{ Close() error }) {
	c.Close()
}

func CloseC(c interface{ Close() error }) {
	c.Close()
}
