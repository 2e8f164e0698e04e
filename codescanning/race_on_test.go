//go:build race

package codescanning_test

// raceEnabled is set when the tests run under the race detector, which
// makes compressing 10 MB logs ten times slower.
const raceEnabled = true
