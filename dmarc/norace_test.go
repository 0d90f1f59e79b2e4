//go:build !race

package dmarc

const raceEnabled = false
