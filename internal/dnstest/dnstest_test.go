package dnstest_test

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/domainauth/domainauth/internal/dnstest"
	"github.com/domainauth/domainauth/zone"
)

func testZone(t *testing.T) *zone.Zone {
	t.Helper()
	z, err := zone.ParseString(`
$ORIGIN example.org.
$TTL 300
@        SOA   ns1 hostmaster 1 7200 3600 1209600 60
@        TXT   "v=spf1 -all"
www      CNAME host
host     A     192.0.2.20
a.b      TXT   "deep"
`, ".")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 250)
	z.AddTXTStrings("big.example.org", long, long, long) // over 512 bytes
	return z
}

// query packs a query for (name, qtype), with an OPT record when edns.
func query(t *testing.T, id uint16, name string, qtype dnsmessage.Type, edns bool) []byte {
	t.Helper()
	m := dnsmessage.Message{Header: dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName(name), Type: qtype, Class: dnsmessage.ClassINET}}}
	if edns {
		var h dnsmessage.ResourceHeader
		if err := h.SetEDNS0(4096, dnsmessage.RCodeSuccess, false); err != nil {
			t.Fatal(err)
		}
		m.Additionals = []dnsmessage.Resource{{Header: h, Body: &dnsmessage.OPTResource{}}}
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exchange sends msg over network and returns the messages that arrive
// within wait (at most max).
func exchange(t *testing.T, network, addr string, msg []byte, max int, wait time.Duration) []dnsmessage.Message {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	if network == "tcp" {
		msg = append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)
	}
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	var out []dnsmessage.Message
	for len(out) < max {
		var buf []byte
		if network == "tcp" {
			var lenb [2]byte
			if _, err := io.ReadFull(c, lenb[:]); err != nil {
				break
			}
			buf = make([]byte, binary.BigEndian.Uint16(lenb[:]))
			if _, err := io.ReadFull(c, buf); err != nil {
				break
			}
		} else {
			buf = make([]byte, 65535)
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			buf = buf[:n]
		}
		var m dnsmessage.Message
		if err := m.Unpack(buf); err != nil {
			t.Fatalf("unpack: %v", err)
		}
		out = append(out, m)
	}
	return out
}

func one(t *testing.T, ms []dnsmessage.Message) dnsmessage.Message {
	t.Helper()
	if len(ms) != 1 {
		t.Fatalf("%d messages; want 1", len(ms))
	}
	return ms[0]
}

func TestAnswers(t *testing.T) {
	srv := dnstest.Start(t, testZone(t), dnstest.Options{})
	tests := []struct {
		name      string
		qname     string
		qtype     dnsmessage.Type
		rcode     dnsmessage.RCode
		answers   int
		authority bool // a SOA in the authority section
	}{
		{"data", "example.org.", dnsmessage.TypeTXT, dnsmessage.RCodeSuccess, 1, false},
		{"CNAME then data", "WWW.example.org.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, 2, false},
		{"CNAME asked", "www.example.org.", dnsmessage.TypeCNAME, dnsmessage.RCodeSuccess, 1, false},
		{"NODATA", "host.example.org.", dnsmessage.TypeTXT, dnsmessage.RCodeSuccess, 0, true},
		{"NODATA at an empty non-terminal", "b.example.org.", dnsmessage.TypeTXT, dnsmessage.RCodeSuccess, 0, true},
		{"NXDOMAIN", "nope.example.org.", dnsmessage.TypeTXT, dnsmessage.RCodeNameError, 0, true},
		{"NXDOMAIN outside any SOA", "nope.example.", dnsmessage.TypeTXT, dnsmessage.RCodeNameError, 0, false},
		{"SOA", "example.org.", dnsmessage.TypeSOA, dnsmessage.RCodeSuccess, 1, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := one(t, exchange(t, "udp", srv.Addr(), query(t, uint16(i), tt.qname, tt.qtype, true), 1, time.Second))
			if m.Header.ID != uint16(i) || !m.Header.Response || m.Header.RCode != tt.rcode || len(m.Answers) != tt.answers {
				t.Errorf("header %+v with %d answers; want %v and %d", m.Header, len(m.Answers), tt.rcode, tt.answers)
			}
			if got := len(m.Authorities) == 1 && m.Authorities[0].Header.Type == dnsmessage.TypeSOA; got != tt.authority {
				t.Errorf("SOA in authority: %v; want %v", got, tt.authority)
			}
			if len(m.Additionals) != 1 || m.Additionals[0].Header.Type != dnsmessage.TypeOPT {
				t.Errorf("no OPT record in the answer to an EDNS0 query: %v", m.Additionals)
			}
		})
	}
}

// TestTruncation: over 512 bytes without EDNS0, TC and no records over UDP
// (RFC 1035 §4.2.1); the whole answer over TCP and with EDNS0.
func TestTruncation(t *testing.T) {
	srv := dnstest.Start(t, testZone(t), dnstest.Options{})
	q := query(t, 1, "big.example.org.", dnsmessage.TypeTXT, false)
	m := one(t, exchange(t, "udp", srv.Addr(), q, 1, time.Second))
	if !m.Header.Truncated || len(m.Answers) != 0 {
		t.Errorf("UDP without EDNS0: TC %v, %d answers; want TC and none", m.Header.Truncated, len(m.Answers))
	}
	m = one(t, exchange(t, "tcp", srv.Addr(), q, 1, time.Second))
	if m.Header.Truncated || len(m.Answers) != 1 {
		t.Errorf("TCP: TC %v, %d answers", m.Header.Truncated, len(m.Answers))
	}
	m = one(t, exchange(t, "udp", srv.Addr(), query(t, 2, "big.example.org.", dnsmessage.TypeTXT, true), 1, time.Second))
	if m.Header.Truncated || len(m.Answers) != 1 {
		t.Errorf("UDP with EDNS0 4096: TC %v, %d answers", m.Header.Truncated, len(m.Answers))
	}
	noEDNS := dnstest.Start(t, testZone(t), dnstest.Options{NoEDNS: true})
	m = one(t, exchange(t, "udp", noEDNS.Addr(), query(t, 3, "big.example.org.", dnsmessage.TypeTXT, true), 1, time.Second))
	if !m.Header.Truncated || len(m.Additionals) != 0 {
		t.Errorf("NoEDNS: TC %v, additionals %v; want TC and no OPT", m.Header.Truncated, m.Additionals)
	}
}

func TestFailures(t *testing.T) {
	srv := dnstest.Start(t, testZone(t), dnstest.Options{})
	const id = 0x1234
	tests := []struct {
		failure dnstest.Failure
		ids     []uint16 // IDs of the messages that arrive
		qnames  []string
		rcode   dnsmessage.RCode
	}{
		{dnstest.NoFailure, []uint16{id}, []string{"example.org."}, dnsmessage.RCodeSuccess},
		{dnstest.ServFail, []uint16{id}, []string{"example.org."}, dnsmessage.RCodeServerFailure},
		{dnstest.Timeout, nil, nil, 0},
		{dnstest.WrongID, []uint16{id ^ 0x5a5a, id}, []string{"example.org.", "example.org."}, dnsmessage.RCodeSuccess},
		{dnstest.WrongQuestion, []uint16{id, id}, []string{"wrong.example.org.", "example.org."}, dnsmessage.RCodeSuccess},
		{dnstest.WrongOnly, []uint16{id ^ 0x5a5a}, []string{"example.org."}, dnsmessage.RCodeSuccess},
	}
	for _, tt := range tests {
		srv.FailName("Example.org", tt.failure)
		for _, network := range []string{"udp", "tcp"} {
			ms := exchange(t, network, srv.Addr(), query(t, id, "example.org.", dnsmessage.TypeTXT, true), 3, 200*time.Millisecond)
			var ids []uint16
			var qnames []string
			for _, m := range ms {
				ids = append(ids, m.Header.ID)
				qnames = append(qnames, m.Questions[0].Name.String())
				if m.Header.RCode != tt.rcode {
					t.Errorf("failure %d over %s: rcode %v; want %v", tt.failure, network, m.Header.RCode, tt.rcode)
				}
			}
			if diff := cmp.Diff(tt.ids, ids); diff != "" {
				t.Errorf("failure %d over %s: IDs (-want +got):\n%s", tt.failure, network, diff)
			}
			if diff := cmp.Diff(tt.qnames, qnames); diff != "" {
				t.Errorf("failure %d over %s: questions (-want +got):\n%s", tt.failure, network, diff)
			}
		}
	}
	srv.FailName("example.org.", dnstest.NoFailure)
	if m := one(t, exchange(t, "udp", srv.Addr(), query(t, 9, "example.org.", dnsmessage.TypeTXT, false), 1, time.Second)); m.Header.RCode != dnsmessage.RCodeSuccess {
		t.Errorf("after NoFailure: %v", m.Header.RCode)
	}
}

func TestNXDomainAllAndDelay(t *testing.T) {
	srv := dnstest.Start(t, testZone(t), dnstest.Options{NXDomainAll: true, Delay: 30 * time.Millisecond})
	begin := time.Now()
	m := one(t, exchange(t, "udp", srv.Addr(), query(t, 1, "example.org.", dnsmessage.TypeTXT, false), 1, time.Second))
	if m.Header.RCode != dnsmessage.RCodeNameError {
		t.Errorf("rcode %v; want NXDOMAIN", m.Header.RCode)
	}
	if el := time.Since(begin); el < 30*time.Millisecond {
		t.Errorf("answered after %v; want the 30ms delay", el)
	}
}

func TestFormErr(t *testing.T) {
	srv := dnstest.Start(t, testZone(t), dnstest.Options{})
	q := dnsmessage.Message{Header: dnsmessage.Header{ID: 7}, Questions: []dnsmessage.Question{
		{Name: dnsmessage.MustNewName("a.example."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET},
		{Name: dnsmessage.MustNewName("b.example."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET},
	}}
	b, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if m := one(t, exchange(t, "udp", srv.Addr(), b, 1, time.Second)); m.Header.RCode != dnsmessage.RCodeFormatError {
		t.Errorf("two questions: %v; want FORMERR", m.Header.RCode)
	}
}

func TestQueryLog(t *testing.T) {
	srv := dnstest.Start(t, testZone(t), dnstest.Options{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			network := []string{"udp", "tcp"}[i%2]
			exchange(t, network, srv.Addr(), query(t, uint16(i), "Host.example.org.", dnsmessage.TypeA, i%4 < 2), 1, time.Second)
		})
	}
	wg.Wait()
	qs := srv.Queries()
	if len(qs) != 20 || srv.QueryCount() != 20 {
		t.Fatalf("%d queries logged, %d counted; want 20", len(qs), srv.QueryCount())
	}
	counts := map[dnstest.Query]int{}
	for _, q := range qs {
		counts[q]++
	}
	want := map[dnstest.Query]int{
		{Network: "udp", Name: "Host.example.org.", Type: dnsmessage.TypeA, EDNS: true}:  5,
		{Network: "tcp", Name: "Host.example.org.", Type: dnsmessage.TypeA, EDNS: true}:  5,
		{Network: "udp", Name: "Host.example.org.", Type: dnsmessage.TypeA, EDNS: false}: 5,
		{Network: "tcp", Name: "Host.example.org.", Type: dnsmessage.TypeA, EDNS: false}: 5,
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

// TestStopsWithTheTest: the server is gone once the test that started it
// has ended, open TCP connections included.
func TestStopsWithTheTest(t *testing.T) {
	var addr string
	var conn net.Conn
	t.Run("inner", func(t *testing.T) {
		srv := dnstest.Start(t, testZone(t), dnstest.Options{Delay: time.Hour})
		addr = srv.Addr()
		var err error
		if conn, err = net.Dial("tcp", addr); err != nil {
			t.Fatal(err)
		}
		msg := query(t, 1, "example.org.", dnsmessage.TypeTXT, false)
		conn.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...))
	})
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Errorf("read on a connection to a stopped server: %v; want it closed", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("the stopped server still accepts connections")
	}
}
