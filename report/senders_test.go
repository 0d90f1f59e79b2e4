package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/sat"
	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

// TestDefaultSenders checks the embedded table: it parses, has at least
// 25 providers, each with a category, a documentation address and
// something to match on, and no domain claimed by two entries.
func TestDefaultSenders(t *testing.T) {
	m := DefaultSenders()
	ss := m.Senders()
	if len(ss) < 25 {
		t.Errorf("%d providers, want at least 25", len(ss))
	}
	owner := map[string]string{}
	for _, s := range ss {
		if !strings.HasPrefix(s.Source, "https://") || s.Category == "" || len(s.Domains)+len(s.PTRSuffixes) == 0 {
			t.Errorf("%s: incomplete entry %+v", s.Name, s)
		}
		for _, d := range s.Domains {
			if o, ok := owner[d]; ok {
				t.Errorf("domain %s claimed by %s and %s", d, o, s.Name)
			}
			owner[d] = s.Name
		}
	}
	for _, c := range []SenderCategory{SenderCategoryMailbox, SenderCategoryESP} {
		if !slices.ContainsFunc(ss, func(s Sender) bool { return s.Category == c }) {
			t.Errorf("no provider of category %s", c)
		}
	}
}

func TestSenderMatching(t *testing.T) {
	m := DefaultSenders()
	for _, c := range []struct {
		name, ptr, domain, want string
	}{
		{"SES PTR", "a48-94.smtp-out.amazonses.com.", "", "Amazon SES"},
		{"SES regional MAIL FROM", "", "us-west-2.amazonses.com", "Amazon SES"},
		{"Gmail PTR, upper case", "MAIL-SOR-F41.GOOGLE.COM", "", "Google (Gmail, Google Workspace)"},
		{"Microsoft 365 PTR", "mail-db5eur03on2101.outbound.protection.outlook.com", "", "Microsoft (Outlook.com, Microsoft 365)"},
		{"label boundary", "", "notamazonses.com", ""},
		{"unknown", "mx.example.net", "example.net", ""},
		{"SendGrid bounce domain", "", "em1234.sendgrid.net", "SendGrid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got *Sender
			if c.ptr != "" {
				got = m.ByPTR(c.ptr)
			} else {
				got = m.ByDomain(c.domain)
			}
			name := ""
			if got != nil {
				name = got.Name
			}
			if name != c.want {
				t.Errorf("got %q, want %q", name, c.want)
			}
		})
	}
}

// TestSenderMapWith: a caller's entries come first, so a more specific
// or equal suffix of theirs wins; the default map is not changed.
func TestSenderMapWith(t *testing.T) {
	own := Sender{Name: "Our MTA", Category: "own", PTRSuffixes: []string{"mail.example.org"}, Domains: []string{"bounce.amazonses.com"}}
	m, err := DefaultSenders().With(own)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.ByPTR("out1.mail.example.org"); got == nil || got.Name != "Our MTA" {
		t.Errorf("ByPTR = %v", got)
	}
	if got := m.ByDomain("x.bounce.amazonses.com"); got == nil || got.Name != "Our MTA" {
		t.Errorf("longer suffix: %v", got)
	}
	if got := m.ByDomain("amazonses.com"); got == nil || got.Name != "Amazon SES" {
		t.Errorf("default entry lost: %v", got)
	}
	if DefaultSenders().ByPTR("out1.mail.example.org") != nil {
		t.Error("With changed the default map")
	}
	// A Summary takes the map as a value: no registry.
	s := &Summary{Senders: m}
	s.Add(spfRecord("192.0.2.7", "bounce.amazonses.com"))
	if s.BySender["Our MTA"] == nil {
		t.Errorf("BySender = %v", s.BySender)
	}
}

// spfRecord is a report with one record from ip whose SPF passes for the
// MAIL FROM domain mailFrom.
func spfRecord(ip, mailFrom string) *Aggregate {
	b := &Builder{Metadata: Metadata{OrgName: "r.example", ReportID: ip + mailFrom,
		DateRange: DateRange{Begin: time.Unix(1700006400, 0), End: time.Unix(1700092799, 0)}},
		Policy: PolicyPublished{Domain: "example.com", P: DispositionNone}}
	b.Add(Evaluation{SourceIP: netip.MustParseAddr(ip), HeaderFrom: "example.com", EnvelopeFrom: mailFrom,
		SPFResults: []SPFAuthResult{{Domain: mailFrom, Scope: SPFScopeMFrom, Result: SPFResultPass}}, Count: 1})
	return b.Aggregate()
}

// countingResolver counts the queries per name and the queries in flight.
type countingResolver struct {
	*zone.Zone
	mu               sync.Mutex
	ptr, fwd         map[string]int
	inFlight, maxFly atomic.Int32
	delay            time.Duration
}

func (c *countingResolver) enter() func() {
	n := c.inFlight.Add(1)
	for {
		m := c.maxFly.Load()
		if n <= m || c.maxFly.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(c.delay)
	return func() { c.inFlight.Add(-1) }
}

func (c *countingResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	defer c.enter()()
	c.mu.Lock()
	c.ptr[addr]++
	c.mu.Unlock()
	return c.Zone.LookupAddr(ctx, addr)
}

func (c *countingResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	defer c.enter()()
	c.mu.Lock()
	c.fwd[network+" "+host]++
	c.mu.Unlock()
	return c.Zone.LookupNetIP(ctx, network, host)
}

func newCounting(z *zone.Zone) *countingResolver {
	return &countingResolver{Zone: z, ptr: map[string]int{}, fwd: map[string]int{}}
}

// TestEnrichConformance is the acceptance rule: with a zone that
// supplies PTR records for the source addresses of the conformance
// aggregate samples, the summary names the provider of every source whose
// reverse DNS is in the map, and enrichment asks at most one PTR and one
// forward query per distinct address.
func TestEnrichConformance(t *testing.T) {
	dir := sharedDir(t, filepath.Join("conformance", "dmarc-aggregate"))
	var reports []*Aggregate
	filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if a, err := Decode(f); err == nil {
			reports = append(reports, a)
		}
		return nil
	})
	s := &Summary{}
	for _, a := range reports {
		s.Add(a)
	}
	// Every third address gets a name in the map, every third one outside
	// it, the rest none; one named address does not confirm.
	suffixes := []string{"smtp-out.amazonses.com", "google.com", "outbound.protection.outlook.com", "mtasv.net", "sendgrid.net"}
	z := zone.New()
	ptrOf := map[string]string{}
	ips := slices.Sorted(func(yield func(string) bool) {
		for ip := range s.BySourceIP {
			if !yield(ip) {
				return
			}
		}
	})
	unconfirmed := ""
	for i, ip := range ips {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			continue
		}
		var name string
		switch i % 3 {
		case 0:
			name = fmt.Sprintf("o%d.%s", i, suffixes[i%len(suffixes)])
		case 1:
			name = fmt.Sprintf("host%d.example.net", i)
		default:
			continue
		}
		z.AddPTR(zone.ReverseName(a), name)
		if unconfirmed == "" && i%3 == 0 {
			unconfirmed = ip // its name points elsewhere
			if a.Is4() {
				z.AddA(name, "203.0.113.250")
			} else {
				z.AddAAAA(name, "2001:db8::250")
			}
			continue
		}
		if a.Is4() {
			z.AddA(name, ip)
		} else {
			z.AddAAAA(name, ip)
		}
		ptrOf[ip] = name
	}
	r := newCounting(z)
	e := &Enricher{Resolver: r}
	if err := s.Enrich(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	for addr, n := range r.ptr {
		if n > 1 {
			t.Errorf("%d PTR queries for %s", n, addr)
		}
	}
	for q, n := range r.fwd {
		if n > 1 {
			t.Errorf("%d forward queries for %s", n, q)
		}
	}
	if len(r.fwd) > len(r.ptr) {
		t.Errorf("%d forward queries for %d addresses", len(r.fwd), len(r.ptr))
	}
	// The expected attribution, worked out independently: the provider of
	// the PTR name, else of the first passing DKIM domain, else of the
	// first passing SPF domain.
	m := DefaultSenders()
	want := map[string]uint64{}
	named := 0
	seen := map[ReportIdentity]bool{}
	for _, a := range reports {
		if seen[a.Identity()] {
			continue
		}
		seen[a.Identity()] = true
		for _, rec := range a.Records {
			ip := ""
			if rec.Row.SourceIP.IsValid() {
				ip = rec.Row.SourceIP.String()
			}
			who := ""
			if p := m.ByPTR(ptrOf[ip]); p != nil && ptrOf[ip] != "" {
				who = p.Name
			} else {
				for _, d := range rec.AuthResults.DKIM {
					if p := m.ByDomain(d.Domain); who == "" && p != nil && d.Result.Canonical() == DKIMResultPass {
						who = p.Name
					}
				}
				for _, sp := range rec.AuthResults.SPF {
					if p := m.ByDomain(sp.Domain); who == "" && p != nil && sp.Result.Canonical() == SPFResultPass {
						who = p.Name
					}
				}
			}
			want[who] = sat.Add(want[who], rec.Row.Count)
		}
	}
	for ip, name := range ptrOf {
		if m.ByPTR(name) != nil {
			named++
			if got := s.SourceNames[ip]; !slices.Equal(got, []string{dnsname.Canonical(name)}) {
				t.Errorf("%s: names %v, want %s", ip, got, name)
			}
			// Every record from this source goes to the PTR's provider,
			// whatever its DKIM and SPF domains say.
			if got := s.attribute(ip, "by domain"); got != m.ByPTR(name).Name {
				t.Errorf("%s (%s) attributed to %q, want %q", ip, name, got, m.ByPTR(name).Name)
			}
		}
	}
	if len(s.SourceNames[unconfirmed]) != 0 {
		t.Errorf("an unconfirmed name kept for %s: %v", unconfirmed, s.SourceNames[unconfirmed])
	}
	got := map[string]uint64{}
	for k, c := range s.BySender {
		got[k] = c.Messages
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("BySender (-want +got):\n%s", d)
	}
	if named < 5 {
		t.Errorf("only %d addresses named through the map: the test proves little", named)
	}
	st := e.Stats()
	t.Logf("%d addresses, %d PTR and %d forward queries, %d named (%d in the map)", len(ips), st.PTRQueries, st.ForwardQueries, st.Named, named)
}

// TestEnricherDefaultBounds goes just past each default bound.
func TestEnricherDefaultBounds(t *testing.T) {
	t.Run("MaxQueries 10,000", func(t *testing.T) {
		z := zone.New()
		var addrs []netip.Addr
		for i := range 10_001 {
			addrs = append(addrs, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
		}
		r := newCounting(z)
		e := &Enricher{Resolver: r}
		if _, err := e.Names(context.Background(), addrs); err != nil {
			t.Fatal(err)
		}
		if st := e.Stats(); st.PTRQueries != 10_000 || st.Skipped != 1 {
			t.Errorf("stats %+v, want 10,000 queries and 1 skipped", st)
		}
	})
	t.Run("MaxNames 10 (RFC 8601 §2.7.3)", func(t *testing.T) {
		z := zone.New()
		a := netip.MustParseAddr("192.0.2.1")
		for i := range 11 {
			n := fmt.Sprintf("n%d.example.net", i)
			z.AddPTR(zone.ReverseName(a), n)
			z.AddA(n, a.String())
		}
		r := newCounting(z)
		names, err := (&Enricher{Resolver: r}).Names(context.Background(), []netip.Addr{a})
		if err != nil {
			t.Fatal(err)
		}
		if len(names[a]) != 10 || len(r.fwd) != 10 {
			t.Errorf("%d names confirmed with %d forward queries, want 10 and 10", len(names[a]), len(r.fwd))
		}
	})
	t.Run("Concurrency 8", func(t *testing.T) {
		r := newCounting(zone.New())
		r.delay = 2 * time.Millisecond
		var addrs []netip.Addr
		for i := range 40 {
			addrs = append(addrs, netip.AddrFrom4([4]byte{10, 1, 0, byte(i)}))
		}
		if _, err := (&Enricher{Resolver: r}).Names(context.Background(), addrs); err != nil {
			t.Fatal(err)
		}
		if m := r.maxFly.Load(); m > 8 || m < 2 {
			t.Errorf("%d queries in flight at most, want 2 to 8", m)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := (&Enricher{Resolver: newCounting(zone.New())}).Names(ctx, []netip.Addr{netip.MustParseAddr("192.0.2.1")})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
}

// TestSummaryForwarded: overrides that mark mail as forwarded make a
// report.forwarded diagnosis instead of report.unauthenticated.
func TestSummaryForwarded(t *testing.T) {
	for _, c := range []struct {
		name   string
		reason PolicyOverrideReason
		want   string
	}{
		{"mailing_list", PolicyOverrideReason{Type: OverrideTypeMailingList}, "mailing_list"},
		{"trusted_forwarder", PolicyOverrideReason{Type: OverrideTypeTrustedForwarder}, "trusted_forwarder"},
		{"local_policy", PolicyOverrideReason{Type: OverrideTypeLocalPolicy}, "local_policy"},
		{"ARC pass in a comment", PolicyOverrideReason{Type: OverrideTypeOther, Comment: "arc=pass as.1.google.com=pass"}, "arc=pass"},
		{"sampled out is no forwarding", PolicyOverrideReason{Type: OverrideTypeSampledOut}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := &Aggregate{Metadata: Metadata{OrgName: "r", ReportID: c.name}, Policy: PolicyPublished{Domain: "example.com"},
				Records: []Record{{Row: Row{SourceIP: netip.MustParseAddr("192.0.2.9"), Count: 3,
					PolicyEvaluated: PolicyEvaluated{Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail, Reasons: []PolicyOverrideReason{c.reason}}},
					Identifiers: Identifiers{HeaderFrom: "example.com"}}}}
			ds := Summarize(a).Diagnoses()
			var codes []string
			for _, d := range ds {
				codes = append(codes, d.Code+" "+d.Detail)
			}
			want := []string{FindingUnauthenticated + " "}
			if c.want != "" {
				want = []string{FindingForwarded + " " + c.want}
			}
			if !slices.Equal(codes, want) {
				t.Errorf("diagnoses %q, want %q", codes, want)
			}
		})
	}
}

func TestSummarySelectorsAndDuplicates(t *testing.T) {
	s := &Summary{}
	a := sesReport()
	s.Add(a)
	s.Add(a)
	st, err := (&Decoder{}).Stream(strings.NewReader(mustMarshal(t, a)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddStream(st); err != nil {
		t.Fatal(err)
	}
	if s.Reports != 1 || s.Duplicates != 2 || len(s.DuplicateReports) != 2 || s.DuplicateReports[0] != a.Identity() {
		t.Errorf("reports %d, duplicates %d %v", s.Reports, s.Duplicates, s.DuplicateReports)
	}
	want := map[string][]string{"example.com": {"ai33r7fqmoefihzcm3c5yksogilyhsfv"}, "amazonses.com": {"224i4yxa5dv7c2xz3womw6peuasteono"}}
	if d := cmp.Diff(want, s.Selectors); d != "" {
		t.Errorf("Selectors (-want +got):\n%s", d)
	}
	// MaxSelectors per domain.
	for i := range MaxSelectors + 1 {
		s.addSelector("many.example", fmt.Sprintf("s%03d", i))
	}
	if n := len(s.Selectors["many.example"]); n != MaxSelectors {
		t.Errorf("%d selectors kept, want %d", n, MaxSelectors)
	}
	// MaxDuplicatesListed.
	for range MaxDuplicatesListed + 1 {
		s.Add(a)
	}
	if len(s.DuplicateReports) != MaxDuplicatesListed || s.Duplicates != MaxDuplicatesListed+3 {
		t.Errorf("%d listed of %d duplicates", len(s.DuplicateReports), s.Duplicates)
	}
}

func mustMarshal(t *testing.T, a *Aggregate) string {
	b, err := (&Encoder{}).Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSenderMapErrors: a refused sender map is a *SenderMapError that
// wraps ErrSenderMap and names the entry, field and value, or the line
// and column of a JSON error, in its message too.
func TestSenderMapErrors(t *testing.T) {
	two := func(more ...Sender) func() error {
		return func() error { _, err := NewSenderMap(more...); return err }
	}
	parse := func(doc string) func() error {
		return func() error { _, err := ParseSenders([]byte(doc)); return err }
	}
	ok := Sender{Name: "ok", Domains: []string{"example.com"}}
	for _, tc := range []struct {
		name    string
		run     func() error
		want    SenderMapError // Msg and Err not compared
		message string
		jsonErr bool
	}{
		{"no name", two(ok, Sender{Domains: []string{"example.net"}}),
			SenderMapError{Entry: 1, Field: "name", Index: -1},
			`report: sender map: senders[1]: name: missing: every entry needs a name`, false},
		{"one-label domain", two(Sender{Name: "x", Domains: []string{"com"}}),
			SenderMapError{Entry: 0, Name: "x", Field: "domains", Index: 0, Value: "com"},
			`report: sender map: senders[0] ("x"): domains[0] "com": not a domain name of two labels or more`, false},
		{"bad PTR suffix", two(ok, Sender{Name: "Acme", PTRSuffixes: []string{"mail.acme.example", "a..example"}}),
			SenderMapError{Entry: 1, Name: "Acme", Field: "ptr_suffixes", Index: 1, Value: "a..example"},
			`senders[1] ("Acme"): ptr_suffixes[1] "a..example": not a domain name`, false},
		{"With indexes its own entries", func() error {
			_, err := DefaultSenders().With(ok, Sender{Name: "y", Domains: []string{""}})
			return err
		}, SenderMapError{Entry: 1, Name: "y", Field: "domains", Index: 0, Value: ""},
			`senders[1] ("y"): domains[0] "": not a domain name`, false},
		{"parsed entry without a name", parse(`{"senders": [{"name": "a"}, {"name": ""}]}`),
			SenderMapError{Entry: 1, Field: "name", Index: -1},
			`report: sender map: senders[1]: name: missing`, false},
		{"JSON syntax", parse("{\"senders\": [\n  {\"name\": \"a\"},\n  {\"name\" \"b\"}\n]}"),
			SenderMapError{Entry: -1, Index: -1, Line: 3, Column: 11},
			`report: sender map: line 3, column 11: invalid character '"' after object key`, true},
		{"JSON type", parse("{\"senders\": [{\"name\": 5}]}"),
			SenderMapError{Entry: -1, Index: -1, Line: 1, Column: 23},
			`report: sender map: line 1, column 23: json: cannot unmarshal number into Go struct field`, true},
		{"not JSON", parse(""),
			SenderMapError{Entry: -1, Index: -1},
			`report: sender map: unexpected end of JSON input`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			var e *SenderMapError
			if !errors.As(err, &e) || !errors.Is(err, ErrSenderMap) {
				t.Fatalf("error %v (%T): want a *SenderMapError wrapping ErrSenderMap", err, err)
			}
			got := *e
			got.Msg, got.Err = "", nil
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%v:\n%s", err, d)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("message %q, want it to hold %q", err, tc.message)
			}
			if (e.Err != nil) != tc.jsonErr {
				t.Errorf("Err = %v, want a JSON error: %v", e.Err, tc.jsonErr)
			}
		})
	}
}

// FuzzParseSenders: a sender map either fails to parse with an error or
// builds a map that rebuilds to itself, that written back as JSON parses
// to itself, and whose lookups never panic.
func FuzzParseSenders(f *testing.F) {
	f.Add(sendersJSON)
	f.Add([]byte(`{"senders": [{"name": "x", "domains": ["A.Example."], "ptr_suffixes": ["mail.example"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseSenders(data)
		if err != nil {
			return
		}
		again, err := NewSenderMap(m.Senders()...)
		if err != nil {
			t.Fatalf("a parsed map does not rebuild: %v", err)
		}
		if d := cmp.Diff(m.Senders(), again.Senders()); d != "" {
			t.Fatalf("rebuild differs:\n%s", d)
		}
		// The map written in the format ParseSenders reads reads back the same.
		doc, err := json.Marshal(map[string][]Sender{"senders": m.Senders()})
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := ParseSenders(doc)
		if err != nil {
			t.Fatalf("the written map does not parse: %v\n%s", err, doc)
		}
		if d := cmp.Diff(m.Senders(), back.Senders()); d != "" {
			t.Fatalf("JSON round trip differs:\n%s", d)
		}
		for _, s := range m.Senders() {
			for _, d := range s.Domains {
				if got := m.ByDomain("x." + d); got == nil {
					t.Fatalf("%s does not match below %s", s.Name, d)
				}
			}
		}
	})
}

// BenchmarkEnrich: names for 1,000 addresses from a zone, with a fresh
// Enricher (no cache) each time.
func BenchmarkEnrich(b *testing.B) {
	z := zone.New()
	var addrs []netip.Addr
	for i := range 1000 {
		a := netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)})
		n := fmt.Sprintf("o%d.smtp-out.amazonses.com", i)
		z.AddPTR(zone.ReverseName(a), n)
		z.AddA(n, a.String())
		addrs = append(addrs, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (&Enricher{Resolver: z}).Names(context.Background(), addrs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSenderByPTR: one lookup of a reverse-DNS name in the default map.
func BenchmarkSenderByPTR(b *testing.B) {
	m := DefaultSenders()
	b.ReportAllocs()
	for b.Loop() {
		if m.ByPTR("a48-94.smtp-out.amazonses.com") == nil {
			b.Fatal("no match")
		}
	}
}

// flakyResolver fails the first PTR query of each address with a
// temporary error (SERVFAIL), then answers from its zone.
type flakyResolver struct {
	*countingResolver
	failed map[string]bool
}

func (f *flakyResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	f.mu.Lock()
	first := !f.failed[addr]
	f.failed[addr] = true
	f.mu.Unlock()
	if first {
		return nil, &net.DNSError{Err: "server misbehaving", Name: addr, IsTemporary: true}
	}
	return f.countingResolver.LookupAddr(ctx, addr)
}

// TestEnrichRetriesTransientFailures: a PTR lookup that failed for now
// (SERVFAIL, a timeout, a cancelled context) is not remembered: the next
// Names call asks again and names the address, while a lasting answer
// (no PTR record) is asked once.
func TestEnrichRetriesTransientFailures(t *testing.T) {
	z := zone.New()
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	z.AddPTR(zone.ReverseName(a), "mail.example.net")
	z.AddA("mail.example.net", a.String())
	r := &flakyResolver{newCounting(z), map[string]bool{}}
	e := &Enricher{Resolver: r}
	ctx := context.Background()
	if names, err := e.Names(ctx, []netip.Addr{a}); err != nil || len(names[a]) != 0 {
		t.Fatalf("first call: %v, %v; want no name (SERVFAIL)", names, err)
	}
	if names, err := e.Names(ctx, []netip.Addr{a}); err != nil || !slices.Equal(names[a], []string{"mail.example.net"}) {
		t.Errorf("second call: %v, %v; want mail.example.net", names, err)
	}
	for range 3 {
		e.Names(ctx, []netip.Addr{b})
	}
	if n := r.ptr[b.String()]; n != 1 {
		t.Errorf("%d PTR queries answered for %s, which has no PTR record; want 1", n, b)
	}
}
