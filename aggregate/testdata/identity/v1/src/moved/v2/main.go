package main

import (
	"fmt"
	"os"
	"strconv"
)

// helper was added above the findings.
func helper() {
	fmt.Println("hello")
}

func parse(s string, base int) int32 {
	n, _ := strconv.Atoi(s)
	if base > 0 {
        return int32(n)   +   int32(n*2)
	}
	return 0
}

func cleanup(f *os.File) {
	f.Close()
}
