package mtasts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/zone"
)

const (
	policyA = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n"
	policyB = "version: STSv1\nmode: testing\nmx: *.example.com\nmax_age: 604800\n"
)

func newTestClient() (*Client, *zone.Zone, *fakeFetcher, *testClock) {
	z := zone.New()
	f := newFakeFetcher()
	clock := &testClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return &Client{Resolver: z, Fetcher: f, Clock: clock}, z, f, clock
}

func setRecord(z *zone.Zone, domain, txt string) {
	z.Remove("_mta-sts."+domain, zone.TypeTXT)
	if txt != "" {
		z.AddTXT("_mta-sts."+domain, txt)
	}
}

// TestClientPolicyLifecycle walks one domain through RFC 8461 §3.1, §3.3
// and §5.1: fetch, cache, id change, lost record, failed fetches, expiry.
func TestClientPolicyLifecycle(t *testing.T) {
	c, z, f, clock := newTestClient()
	ctx := context.Background()
	const d = "example.com"
	setRecord(z, d, "v=STSv1; id=1;")
	f.set(d, policyA, nil)

	step := func(name string, src Source, mode Mode, fetches int, err error) {
		t.Helper()
		r := c.Get(ctx, d)
		if r.Source != src || f.count(d) != fetches || (err == nil) != (r.Err == nil) || err != nil && !errors.Is(r.Err, err) {
			t.Fatalf("%s: source %v, fetches %d, err %v; want %v, %d, %v", name, r.Source, f.count(d), r.Err, src, fetches, err)
		}
		if (r.Policy == nil) != (src == SourceNone) || r.Policy != nil && r.Policy.Mode != mode {
			t.Fatalf("%s: policy %+v, want mode %v", name, r.Policy, mode)
		}
	}
	step("§5.1 first use fetches", SourceFetched, ModeEnforce, 1, nil)
	step("§3 same id uses the cache", SourceCache, ModeEnforce, 1, nil)

	setRecord(z, d, "v=STSv1; id=2;")
	f.set(d, policyB, nil)
	step("§3 new id fetches", SourceFetched, ModeTesting, 2, nil)

	setRecord(z, d, "")
	step("§3.1 no record keeps the cached policy", SourceCache, ModeTesting, 2, ErrNoRecord)
	setRecord(z, d, "v=STSv1; id=2;")
	z.SetFault("_mta-sts."+d, zone.TypeTXT, zone.FaultServFail)
	step("§3.3 DNS failure keeps the cached policy", SourceCache, ModeTesting, 2, ErrLookup)
	z.SetFault("_mta-sts."+d, zone.TypeTXT, zone.FaultNone)
	setRecord(z, d, "v=STSv1; id=2;\x00")
	step("§3.1 invalid record keeps the cached policy", SourceCache, ModeTesting, 2, ErrSyntax)

	setRecord(z, d, "v=STSv1; id=3;")
	f.set(d, "", errUnreachable)
	step("§3.3 failed fetch keeps the cached policy", SourceCache, ModeTesting, 3, ErrFetch)
	f.set(d, policyA, nil)
	step("§3.3 no new attempt within five minutes for the same id", SourceCache, ModeTesting, 3, ErrFetch)
	clock.advance(DefaultRetryInterval)
	step("§3.3 new attempt after five minutes", SourceFetched, ModeEnforce, 4, nil)

	clock.advance(DefaultRefreshInterval)
	step("§3.3 daily refresh with unchanged id", SourceFetched, ModeEnforce, 5, nil)

	f.set(d, "", errUnreachable)
	setRecord(z, d, "v=STSv1; id=4;")
	clock.advance(86400 * time.Second)
	step("§3.3 expired cache and failed fetch: no policy", SourceNone, 0, 6, ErrFetch)
	setRecord(z, d, "")
	step("§3.1 no record and no cache: no policy", SourceNone, 0, 6, ErrNoRecord)
}

func TestClientMaxAgeZero(t *testing.T) {
	c, z, f, _ := newTestClient()
	setRecord(z, "example.com", "v=STSv1; id=1;")
	f.set("example.com", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 0\n", nil)
	for i := 1; i <= 2; i++ {
		if r := c.Get(context.Background(), "example.com"); r.Source != SourceFetched || f.count("example.com") != i {
			t.Fatalf("get %d: source %v, fetches %d: a max_age of 0 must not be served from the cache", i, r.Source, f.count("example.com"))
		}
	}
}

func TestClientNoPolicy(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		body    string
		err     error
	}{
		{"§3.1 no record", nil, policyA, ErrNoRecord},
		{"§3.1 several records", []string{"v=STSv1; id=1;", "v=STSv1; id=2;"}, policyA, ErrMultipleRecords},
		{"§3.3 no policy served", []string{"v=STSv1; id=1;"}, "", ErrStatus},
		{"§3.2 invalid policy", []string{"v=STSv1; id=1;"}, "version: STSv1\n", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, z, f, _ := newTestClient()
			for _, r := range tt.records {
				z.AddTXT("_mta-sts.example.com", r)
			}
			if tt.body != "" {
				f.set("example.com", tt.body, nil)
			}
			r := c.Get(context.Background(), "Example.COM.")
			if r.Source != SourceNone || r.Policy != nil || !errors.Is(r.Err, tt.err) || r.Enforced() {
				t.Errorf("Get = %+v, want no policy and error %v", r, tt.err)
			}
			if r.Domain != "example.com" {
				t.Errorf("Domain = %q, want it normalised", r.Domain)
			}
		})
	}
}

func TestClientCancelledIsNotRemembered(t *testing.T) {
	c, z, f, _ := newTestClient()
	setRecord(z, "example.com", "v=STSv1; id=1;")
	f.set("example.com", "", context.Canceled)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.Get(ctx, "example.com")
	f.set("example.com", policyA, nil)
	if r := c.Get(context.Background(), "example.com"); r.Source != SourceFetched {
		t.Errorf("after a cancelled Get: %+v; the caller's cancellation must not delay the next fetch", r)
	}
}

// TestClientMaxEntriesDefault goes one past DefaultMaxEntries.
func TestClientMaxEntriesDefault(t *testing.T) {
	c, z, f, clock := newTestClient()
	for i := range DefaultMaxEntries + 1 {
		d := fmt.Sprintf("d%d.example", i)
		setRecord(z, d, "v=STSv1; id=1;")
		f.set(d, policyA, nil)
		if r := c.Get(context.Background(), d); r.Source != SourceFetched {
			t.Fatalf("%s: %+v", d, r)
		}
		clock.advance(time.Second)
	}
	if n := c.Len(); n != DefaultMaxEntries {
		t.Fatalf("Len() = %d, want %d", n, DefaultMaxEntries)
	}
	// The first domain expires soonest and was evicted.
	if r := c.Get(context.Background(), "d0.example"); r.Source != SourceFetched {
		t.Errorf("d0.example: %v, want fetched again after eviction", r.Source)
	}
	if r := c.Get(context.Background(), fmt.Sprintf("d%d.example", DefaultMaxEntries)); r.Source != SourceCache {
		t.Errorf("last domain: %v, want cached", r.Source)
	}
}

func TestClientEvictsExpiredFirst(t *testing.T) {
	c, z, f, clock := newTestClient()
	c.MaxEntries = 2
	ctx := context.Background()
	setRecord(z, "long.example", "v=STSv1; id=1;")
	f.set("long.example", policyB, nil) // a week
	setRecord(z, "short.example", "v=STSv1; id=1;")
	f.set("short.example", policyA, nil) // a day
	setRecord(z, "new.example", "v=STSv1; id=1;")
	f.set("new.example", policyA, nil)
	c.Get(ctx, "short.example")
	c.Get(ctx, "long.example")
	clock.advance(time.Hour)
	c.Get(ctx, "new.example")
	if c.Len() != 2 {
		t.Fatalf("Len() = %d", c.Len())
	}
	if r := c.Get(ctx, "long.example"); r.Source != SourceCache {
		t.Errorf("long.example evicted; the policy expiring soonest should go")
	}
}

func TestClientConcurrent(t *testing.T) {
	c, z, f, _ := newTestClient()
	c.MaxEntries = 5
	for i := range 10 {
		d := fmt.Sprintf("d%d.example", i)
		setRecord(z, d, "v=STSv1; id=1;")
		f.set(d, policyA, nil)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				d := fmt.Sprintf("d%d.example", (g+i)%10)
				if r := c.Get(context.Background(), d); r.Policy == nil {
					t.Errorf("%s: %+v", d, r)
					return
				}
			}
		})
	}
	wg.Wait()
	if c.Len() > 5 {
		t.Errorf("Len() = %d, more than MaxEntries", c.Len())
	}
}

// TestClientNoParentPolicy guards RFC 8461 §3.4: for mail to a subdomain
// the parent's policy is never fetched.
func TestClientNoParentPolicy(t *testing.T) {
	c, z, f, _ := newTestClient()
	setRecord(z, "example.com", "v=STSv1; id=1;")
	f.set("example.com", policyA, nil)
	r := c.Get(context.Background(), "mail.example.com")
	if r.Policy != nil || !errors.Is(r.Err, ErrNoRecord) || f.count("example.com") != 0 {
		t.Errorf("Get(mail.example.com) = %+v, %d fetches of example.com's policy", r, f.count("example.com"))
	}
}

// TestFetchPolicyDefaultTimeout checks the default bound of a fetch, one
// minute (RFC 8461 §3.3), from the deadline the fetcher sees, without
// waiting for it.
func TestFetchPolicyDefaultTimeout(t *testing.T) {
	var deadline time.Time
	fetch := fetcherFunc(func(ctx context.Context, url string, maxBytes int64) (*domainauth.FetchResult, error) {
		deadline, _ = ctx.Deadline()
		if maxBytes != DefaultMaxPolicySize {
			t.Errorf("maxBytes %d, want the default %d", maxBytes, DefaultMaxPolicySize)
		}
		return nil, errUnreachable
	})
	start := time.Now()
	if _, err := FetchPolicy(context.Background(), fetch, "example.com", FetchOptions{}); !errors.Is(err, errUnreachable) {
		t.Fatalf("err = %v", err)
	}
	if d := deadline.Sub(start); d < DefaultFetchTimeout-time.Second || d > DefaultFetchTimeout+time.Second {
		t.Errorf("deadline %v after the start, want %v", d, DefaultFetchTimeout)
	}
	deadline = time.Time{}
	FetchPolicy(context.Background(), fetch, "example.com", FetchOptions{Timeout: -1})
	if !deadline.IsZero() {
		t.Errorf("negative Timeout: deadline %v, want none", deadline)
	}
}

func TestFetchPolicyNilResult(t *testing.T) {
	fetch := fetcherFunc(func(context.Context, string, int64) (*domainauth.FetchResult, error) { return nil, nil })
	if _, err := FetchPolicy(context.Background(), fetch, "example.com", FetchOptions{}); !errors.Is(err, ErrFetch) {
		t.Errorf("err = %v, want ErrFetch", err)
	}
}

type fetcherFunc func(ctx context.Context, url string, maxBytes int64) (*domainauth.FetchResult, error)

func (f fetcherFunc) Fetch(ctx context.Context, url string, maxBytes int64) (*domainauth.FetchResult, error) {
	return f(ctx, url, maxBytes)
}
