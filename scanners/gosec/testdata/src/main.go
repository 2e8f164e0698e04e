// Package main is a deliberately insecure program for gosec to scan.
package main

import (
	"crypto/md5"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
)

// The AWS documentation's example secret, reversed so that no scanner
// takes it for a real key.
var awsSecretAccessKey = "YEKELPMAXEyCbR/KCPfIMED7/GniXtuFnI7K/rlawJw"

func query(db *sql.DB, id string) {
	rows, _ := db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = '%s'", id))
	_ = rows
}

func main() {
	password := "hunter2-correct-horse"
	fmt.Println(len(password), len(awsSecretAccessKey))
	h := md5.New()
	h.Write([]byte(os.Args[1]))
	cmd := exec.Command("sh", "-c", os.Args[1])
	_ = cmd.Run()
	os.Chmod("/tmp/x", 0777) // #nosec G302 -- demo file, world-writable on purpose
	query(nil, os.Args[2])
}
