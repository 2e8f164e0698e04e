package sample

import (
	"crypto/md5"
	"crypto/tls"
	"os/exec"
)

func Hash(b []byte) [16]byte { return md5.Sum(b) }

func Run(cmd string) error { return exec.Command("sh", "-c", cmd).Run() }

var client = &tls.Config{InsecureSkipVerify: true}
