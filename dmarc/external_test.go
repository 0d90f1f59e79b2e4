package dmarc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

func TestCheckDestinations(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.example.net", "v=DMARC1; p=none")
	// RFC 9990 §3 example: red.example.net authorises blue.example.com.
	z.AddTXT("blue.example.com._report._dmarc.red.example.net", "v=DMARC1")
	// Wildcard form: reports for any domain.
	z.AddTXT("*._report._dmarc.reports.example", "v=DMARC1;")
	// Override to another mailbox on the same host.
	z.AddTXT("blue.example.com._report._dmarc.over.example", "v=DMARC1; rua=mailto:other@over.example")
	// Override to a different host: no report to either.
	z.AddTXT("blue.example.com._report._dmarc.loop.example", "v=DMARC1; rua=mailto:x@elsewhere.example")
	// A record that does not start with v=DMARC1 authorises nothing.
	z.AddTXT("blue.example.com._report._dmarc.wrong.example", "p=none; v=DMARC1")
	z.SetFault("blue.example.com._report._dmarc.slow.example", zone.TypeTXT, zone.FaultTimeout)

	tests := []struct {
		uri      string
		kind     ReportKind
		status   DestinationStatus
		override int
	}{
		{"mailto:d@blue.example.com", ReportKindAggregate, DestinationStatusInternal, 0},
		{"mailto:d@example.com", ReportKindAggregate, DestinationStatusInternal, 0}, // same Organizational Domain
		{"mailto:d@red.example.net", ReportKindAggregate, DestinationStatusAuthorized, 0},
		{"mailto:d@reports.example", ReportKindAggregate, DestinationStatusAuthorized, 0},
		{"https://reports.example/dmarc", ReportKindAggregate, DestinationStatusAuthorized, 0},
		{"mailto:d@over.example", ReportKindAggregate, DestinationStatusAuthorized, 1},
		{"mailto:d@over.example", ReportKindFailure, DestinationStatusAuthorized, 0}, // rua override does not apply to ruf
		{"mailto:d@loop.example", ReportKindAggregate, DestinationStatusUnauthorized, 0},
		{"mailto:d@wrong.example", ReportKindAggregate, DestinationStatusUnauthorized, 0},
		{"mailto:d@nobody.example", ReportKindAggregate, DestinationStatusUnauthorized, 0},
		{"mailto:d@slow.example", ReportKindAggregate, DestinationStatusTempError, 0},
		{"mailto:nobody", ReportKindAggregate, DestinationStatusInvalid, 0},
		{"ftp://x.example/", ReportKindAggregate, DestinationStatusInvalid, 0},
	}
	c := Checker{Resolver: z}
	for _, tt := range tests {
		d := c.CheckDestination(context.Background(), "blue.example.com", URI{Address: tt.uri}, tt.kind)
		if d.Status != tt.status || len(d.Override) != tt.override {
			t.Errorf("%s (%s): %s override %v err %v; want %s", tt.uri, tt.kind, d.Status, d.Override, d.Err, tt.status)
		}
		if (d.Status == DestinationStatusInternal || d.Status == DestinationStatusAuthorized) != (d.Err == nil) {
			t.Errorf("%s: status %s with err %v", tt.uri, d.Status, d.Err)
		}
	}
	d := c.CheckDestination(context.Background(), "blue.example.com", URI{Address: "mailto:d@loop.example"}, ReportKindAggregate)
	if !errors.Is(d.Err, ErrOverrideHost) || d.Queried != "blue.example.com._report._dmarc.loop.example" {
		t.Errorf("loop: %v at %q", d.Err, d.Queried)
	}
	// RFC 9990 §3 step 4: a name beyond DNS limits cannot be authorised.
	long := "a123456789012345678901234567890123456789012345678901234567890.b123456789012345678901234567890123456789012345678901234567890.c123456789012345678901234567890123456789012345678901234567890.example"
	d = c.CheckDestination(context.Background(), long, URI{Address: "mailto:d@red.example.net"}, ReportKindAggregate)
	if d.Status != DestinationStatusUnauthorized {
		t.Errorf("long name: %s %v", d.Status, d.Err)
	}
	all := c.CheckDestinations(context.Background(), "blue.example.com",
		[]URI{{Address: "mailto:a@blue.example.com"}, {Address: "mailto:b@red.example.net"}}, ReportKindAggregate)
	if len(all) != 2 || all[0].Status != DestinationStatusInternal || all[1].Status != DestinationStatusAuthorized {
		t.Errorf("CheckDestinations: %+v", all)
	}
	// In RFC 7489 mode the Organizational Domains come from the PSL.
	c7 := Checker{Resolver: z, Mode: ModeRFC7489}
	if d := c7.CheckDestination(context.Background(), "blue.example.com", URI{Address: "mailto:d@x.example.com"}, ReportKindAggregate); d.Status != DestinationStatusInternal {
		t.Errorf("RFC 7489 same org: %s", d.Status)
	}
}

// txtCounter counts every TXT query.
type txtCounter struct {
	*zone.Zone
	n int
}

func (c *txtCounter) LookupTXT(ctx context.Context, name string) ([]string, error) {
	c.n++
	return c.Zone.LookupTXT(ctx, name)
}

// TestCheckDestinationsQueryBound guards the DNS cost of a long rua list
// (RFC 9990 §3): authorisation queries count against Checker.MaxQueries
// with the tree walks, and one host's answer serves all its URIs. Before,
// every URI of an external host made an uncounted authorisation query.
func TestCheckDestinationsQueryBound(t *testing.T) {
	z := &txtCounter{Zone: zone.New()}
	z.AddTXT("_dmarc.blue.example", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.red.example", "v=DMARC1; p=none")
	z.AddTXT("blue.example._report._dmarc.red.example", "v=DMARC1")
	sameHost := make([]URI, 1000)
	manyHosts := make([]URI, 1000)
	for i := range sameHost {
		sameHost[i] = URI{Address: fmt.Sprintf("mailto:r%d@red.example", i)}
		manyHosts[i] = URI{Address: fmt.Sprintf("mailto:r@h%d.example", i)}
	}
	c := Checker{Resolver: z}
	ds := c.CheckDestinations(context.Background(), "blue.example", sameHost, ReportKindAggregate)
	for _, d := range ds {
		if d.Status != DestinationStatusAuthorized {
			t.Fatalf("%s: %s %v", d.URI, d.Status, d.Err)
		}
	}
	if z.n > 4 {
		t.Errorf("1,000 URIs of one host: %d TXT queries, want at most 4 (two walks, one authorisation)", z.n)
	}
	for _, max := range []int{0, 10} {
		z.n = 0
		c.MaxQueries = max
		ds = c.CheckDestinations(context.Background(), "blue.example", manyHosts, ReportKindAggregate)
		want := max
		if max == 0 {
			want = DefaultMaxQueries
		}
		if z.n > want {
			t.Errorf("MaxQueries %d: 1,000 hosts made %d TXT queries, want at most %d", max, z.n, want)
		}
		if last := ds[len(ds)-1]; last.Status != DestinationStatusTempError || !errors.Is(last.Err, ErrTooManyQueries) {
			t.Errorf("MaxQueries %d: last destination %s %v; want temperror, ErrTooManyQueries", max, last.Status, last.Err)
		}
	}
}
