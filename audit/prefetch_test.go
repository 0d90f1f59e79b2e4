package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestPrefetchSPFBounds: the SPF prefetch stops where spf.Linter's default
// bounds stop the lint: an include chain one record longer than 100 gets
// 100 records fetched, and a policy with more than 500 probes gets 500
// address lookups.
func TestPrefetchSPFBounds(t *testing.T) {
	tests := []struct {
		name   string
		build  func(c *counting)
		prefix string // of the counted questions
		want   int
	}{
		{"include chain of 101 records", func(c *counting) {
			for i := range prefetchSPFRecords + 1 {
				c.Zone.AddTXT(fmt.Sprintf("r%d.example.org", i), fmt.Sprintf("v=spf1 include:r%d.example.org -all", i+1))
			}
		}, "TXTS r", prefetchSPFRecords},
		{"504 a terms in 6 records", func(c *counting) {
			var incs []string
			n := 0
			for i := range 6 {
				var terms []string
				for range (prefetchSPFProbes + 1 + 5) / 6 {
					terms = append(terms, fmt.Sprintf("a:h%d.example.org", n))
					n++
				}
				incs = append(incs, fmt.Sprintf("include:p%d.example.org", i))
				c.Zone.AddTXT(fmt.Sprintf("p%d.example.org", i), "v=spf1 "+strings.Join(terms, " ")+" -all")
			}
			c.Zone.AddTXT("r0.example.org", "v=spf1 "+strings.Join(incs, " ")+" -all")
		}, "ip h", prefetchSPFProbes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCounting(0)
			tt.build(c)
			prefetchOnly(c, "example.org", func(ru *run) { ru.prefetchSPF(context.Background(), "r0.example.org") })
			if got := c.asked(tt.prefix); got != tt.want {
				t.Errorf("%d %q questions, want %d", got, tt.prefix, tt.want)
			}
		})
	}
}

// TestPrefetchMXHostsBound: as mx.Checker examines 16 MX hosts by default,
// the prefetch of a domain with 17 looks up 16.
func TestPrefetchMXHostsBound(t *testing.T) {
	c := newCounting(0)
	for i := range prefetchMXHosts + 1 {
		c.Zone.AddMX("many.example.org", uint16(i), fmt.Sprintf("mx%d.example.org", i))
	}
	prefetchOnly(c, "many.example.org", func(ru *run) { ru.prefetchMXHosts(context.Background(), "many.example.org") })
	if got := c.asked("ip mx"); got != prefetchMXHosts {
		t.Errorf("%d hosts looked up, want %d", got, prefetchMXHosts)
	}
}

// prefetchOnly runs prefetch in an audit of domain that does nothing else,
// and waits for the questions it asked.
func prefetchOnly(r *counting, domain string, prefetch func(ru *run)) {
	ru := (&Auditor{Resolver: r}).newRun(context.Background(), domain)
	prefetch(ru)
	ru.prefetches.Wait()
	ru.m.close()
}

// asked counts the questions that start with prefix.
func (c *counting) asked(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := 0
	for q, n := range c.n {
		if strings.HasPrefix(q, prefix) {
			got += n
		}
	}
	return got
}
