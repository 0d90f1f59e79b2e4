//go:build unix

package spf

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuNow returns the CPU time the process has used.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCPUCost reports the process CPU time per Check for the four
// benchmark cases; unlike ns/op it is not inflated by other load on the
// machine. Run with SPF_CPUCOST=1 go test -run TestCPUCost -v ./spf.
func TestCPUCost(t *testing.T) {
	if os.Getenv("SPF_CPUCOST") == "" {
		t.Skip("set SPF_CPUCOST=1 to measure")
	}
	for _, bc := range benchCases() {
		c := &Checker{Resolver: bc.zone()}
		ctx := context.Background()
		for range 1000 {
			c.Check(ctx, bc.in)
		}
		best := time.Hour
		for range 5 {
			const n = 200000
			s := cpuNow()
			for range n {
				c.Check(ctx, bc.in)
			}
			best = min(best, (cpuNow()-s)/n)
		}
		t.Logf("%-22s %v CPU/op", bc.name, best)
	}
}
