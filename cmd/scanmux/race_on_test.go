//go:build race

package main

// raceEnabled is true in a test binary built with -race: the binary the
// fault-matrix tests run is then built with -race too.
const raceEnabled = true
