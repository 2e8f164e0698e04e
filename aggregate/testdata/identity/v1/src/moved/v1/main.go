package main

import (
	"os"
	"strconv"
)

func parse(s string) int32 {
	n, _ := strconv.Atoi(s)
	return int32(n) + int32(n*2)
}

func cleanup(f *os.File) {
	f.Close()
}
