package audit

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// capsOf is the capability mask memo.resolver switches on.
func capsOf(r domainauth.Resolver) int {
	_, s := r.(domainauth.TXTStringsResolver)
	_, c := r.(domainauth.CNAMEResolver)
	_, e := r.(domainauth.ExistenceResolver)
	_, p := r.(spf.SPFRRResolver)
	caps := 0
	for i, has := range []bool{s, c, e, p} {
		if has {
			caps |= 1 << i
		}
	}
	return caps
}

// TestMemoKeepsCapabilities: the audit's resolver has exactly the optional
// capabilities of the one it wraps, for each of the 16 combinations (a
// check that finds one missing reports "unknown").
func TestMemoKeepsCapabilities(t *testing.T) {
	z := zone.New()
	for caps := range 16 {
		// A resolver with exactly caps: a memo over the zone (which has
		// all four) with the others taken away.
		m := newMemo(context.Background(), z)
		if caps&1 == 0 {
			m.strs = nil
		}
		if caps&2 == 0 {
			m.cname = nil
		}
		if caps&4 == 0 {
			m.exists = nil
		}
		if caps&8 == 0 {
			m.spfRR = nil
		}
		r := m.resolver()
		if got := capsOf(r); got != caps {
			t.Errorf("resolver() of capabilities %04b has %04b", caps, got)
		}
		if got := capsOf(newMemo(context.Background(), r).resolver()); got != caps {
			t.Errorf("a memo over a resolver with capabilities %04b has %04b", caps, got)
		}
	}
}

// counting counts the lookups that reach a zone, which answers after delay.
type counting struct {
	*zone.Zone
	delay time.Duration
	mu    sync.Mutex
	n     map[string]int
}

func (c *counting) count(ctx context.Context, q string) error {
	c.mu.Lock()
	c.n[q]++
	c.mu.Unlock()
	select {
	case <-time.After(c.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *counting) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if err := c.count(ctx, "TXT "+name); err != nil {
		return nil, err
	}
	return c.Zone.LookupTXT(ctx, name)
}

func (c *counting) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	if err := c.count(ctx, "TXTS "+name); err != nil {
		return nil, err
	}
	return c.Zone.LookupTXTStrings(ctx, name)
}

func (c *counting) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if err := c.count(ctx, "MX "+name); err != nil {
		return nil, err
	}
	return c.Zone.LookupMX(ctx, name)
}

func (c *counting) LookupNetIP(ctx context.Context, network, name string) ([]netip.Addr, error) {
	if err := c.count(ctx, network+" "+name); err != nil {
		return nil, err
	}
	return c.Zone.LookupNetIP(ctx, network, name)
}

func newCounting(delay time.Duration) *counting {
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 -all")
	z.AddTXT("example.org", "other")
	z.AddMX("example.org", 10, "mx.example.org")
	z.AddA("mx.example.org", "192.0.2.1")
	return &counting{Zone: z, delay: delay, n: map[string]int{}}
}

// TestMemoAsksOnce: lookups of one question, at the same time or one after
// the other, reach the resolver once; each caller gets its own copy of the
// answer; another question is asked on its own.
func TestMemoAsksOnce(t *testing.T) {
	c := newCounting(5 * time.Millisecond)
	m := newMemo(context.Background(), c)
	defer m.close()
	r := m.resolver()
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			mxs, err := r.LookupMX(ctx, "example.org")
			if err != nil || len(mxs) != 1 || mxs[0].Host != "mx.example.org." {
				t.Errorf("LookupMX = %v, %v", mxs, err)
				return
			}
			mxs[0].Host = "changed." // must not reach the other callers
		})
	}
	wg.Wait()
	if mxs, _ := r.LookupMX(ctx, "example.org"); mxs[0].Host != "mx.example.org." {
		t.Errorf("a caller's change to its answer reached the next caller: %s", mxs[0].Host)
	}
	r.LookupNetIP(ctx, "ip", "mx.example.org")
	r.LookupNetIP(ctx, "ip4", "mx.example.org")
	r.LookupNetIP(ctx, "ip", "mx.example.org")
	want := map[string]int{"MX example.org": 1, "ip mx.example.org": 1, "ip4 mx.example.org": 1}
	for q, n := range want {
		if c.n[q] != n {
			t.Errorf("%s asked %d times, want %d (all: %v)", q, c.n[q], n, c.n)
		}
	}
}

// TestMemoTXTFromStrings: a TXT lookup shares the answer of the
// character-strings lookup of the same name (one TXT query on the wire),
// and asks itself when that lookup failed.
func TestMemoTXTFromStrings(t *testing.T) {
	c := newCounting(0)
	m := newMemo(context.Background(), c)
	defer m.close()
	ctx := context.Background()
	if _, err := m.LookupTXTStrings(ctx, "example.org"); err != nil {
		t.Fatal(err)
	}
	txts, err := m.LookupTXT(ctx, "example.org")
	if err != nil || len(txts) != 2 {
		t.Fatalf("LookupTXT = %q, %v", txts, err)
	}
	m.LookupTXTStrings(ctx, "none.example.org")
	if _, err := m.LookupTXT(ctx, "none.example.org"); domainauth.Classify(ctx, err) != domainauth.ErrorKindNotFound {
		t.Errorf("LookupTXT of a name without TXT: %v", err)
	}
	want := map[string]int{"TXTS example.org": 1, "TXT example.org": 0, "TXTS none.example.org": 1, "TXT none.example.org": 1}
	for q, n := range want {
		if c.n[q] != n {
			t.Errorf("%s asked %d times, want %d (all: %v)", q, c.n[q], n, c.n)
		}
	}
}

// TestMemoCallerGivesUp: a caller whose context ends stops waiting at once,
// and the lookup goes on for the others; close ends what nobody waits for.
func TestMemoCallerGivesUp(t *testing.T) {
	c := newCounting(50 * time.Millisecond)
	m := newMemo(context.Background(), c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := m.LookupMX(ctx, "example.org")
		done <- err
	}()
	time.Sleep(5 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled caller: err = %v, want context.Canceled", err)
	}
	if mxs, err := m.LookupMX(context.Background(), "example.org"); err != nil || len(mxs) != 1 {
		t.Errorf("next caller: %v, %v; want the answer", mxs, err)
	}
	if n := c.n["MX example.org"]; n != 1 {
		t.Errorf("MX asked %d times, want 1", n)
	}
	m.close()
	// A lookup that would take a minute, which nobody waits for.
	slow := newMemo(context.Background(), newCounting(time.Minute))
	slow.ask(memoKey{kind: lookupMX, name: "example.org"})
	closed := make(chan struct{})
	go func() {
		slow.close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Errorf("close waits for a lookup nobody waits for")
	}
}
