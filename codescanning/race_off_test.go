//go:build !race

package codescanning_test

const raceEnabled = false
