//go:build unix

package report

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time: throughput measured
// against it does not depend on what else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
