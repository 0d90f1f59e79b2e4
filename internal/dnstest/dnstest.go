// Package dnstest serves a zone.Zone as a recursive name server would answer
// it, over UDP and TCP on a loopback address, for tests and latency
// benchmarks of code that speaks DNS on the wire (livedns, the domainauth
// command's live mode).
//
// A test starts a server with Start, points its resolver at Addr, and the
// server stops when the test ends (t.Cleanup). Failures are injected per
// name (FailName: SERVFAIL, no answer, answers that do not match the query),
// for every name (Options.NXDomainAll) or as latency (Options.Delay); the
// query log (Queries) shows what the client asked, over which transport.
//
// Answers follow the zone's own lookup rules (CNAME chains, wildcards,
// faults and delay set on the zone): CNAMEs are put in the answer section
// before the data (at most 8; the answer to a longer chain or a loop stops
// at the eighth, without data, for the client to ask on), NXDOMAIN is told from NODATA with LookupExists, and a
// negative answer carries the SOA of the closest enclosing apex in its
// authority section (RFC 2308 §3). A UDP answer longer than the client's
// limit (512 bytes without EDNS0, RFC 1035 §4.2.1; the advertised size with
// it, RFC 6891 §6.2.3) is sent empty with the TC bit, and the client must
// ask again over TCP.
//
// It answers only queries with one question of class IN; anything else gets
// FORMERR. Records of types the zone holds only as opaque data are not
// served (NODATA). The query log keeps the first 100,000 queries.
package dnstest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

// Options configure a Server. The zero value serves the zone as it is.
type Options struct {
	// Delay is how long the server waits before sending each answer.
	Delay time.Duration
	// NXDomainAll makes the server answer NXDOMAIN for every name, as some
	// captive or filtering networks do.
	NXDomainAll bool
	// NoEDNS makes the server ignore EDNS0: no OPT record in answers, and
	// UDP answers limited to 512 bytes whatever the client advertises.
	NoEDNS bool
}

// Failure is a fault injected for one name with FailName.
type Failure uint8

const (
	// NoFailure clears an injected failure.
	NoFailure Failure = iota
	// ServFail answers SERVFAIL.
	ServFail
	// Timeout sends no answer at all.
	Timeout
	// WrongID first sends the answer with another message ID, then the
	// right answer.
	WrongID
	// WrongQuestion first sends an answer to another question (a different
	// name), then the right answer.
	WrongQuestion
	// WrongOnly sends only the answer with another message ID: a client
	// that rightly ignores it times out.
	WrongOnly
)

// Query is one query the server received.
type Query struct {
	Network string // "udp" or "tcp"
	Name    string // the question's name, as asked (with its trailing dot)
	Type    dnsmessage.Type
	EDNS    bool // the query had an OPT record
}

// maxLog bounds the query log; QueryCount keeps counting past it.
const maxLog = 100_000

// Server is a running test name server. Its methods are safe for concurrent
// use.
type Server struct {
	zone *zone.Zone
	opts Options
	udp  net.PacketConn
	tcp  net.Listener
	done chan struct{}
	wg   sync.WaitGroup

	mu       sync.Mutex
	failures map[string]Failure // canonical name -> failure
	log      []Query
	count    int
	conns    map[net.Conn]struct{}
	stopped  bool
}

// Start starts a server for z on 127.0.0.1 (one port for UDP and TCP) and
// stops it when t ends. It calls t.Fatal if it cannot listen.
func Start(t testing.TB, z *zone.Zone, opts Options) *Server {
	t.Helper()
	s := &Server{zone: z, opts: opts, done: make(chan struct{}),
		failures: map[string]Failure{}, conns: map[net.Conn]struct{}{}}
	var err error
	// The UDP port is chosen by the system; the TCP port must be the same,
	// which another process may hold, so try a few times.
	for range 10 {
		s.udp, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("dnstest: %v", err)
		}
		s.tcp, err = net.Listen("tcp", s.udp.LocalAddr().String())
		if err == nil {
			break
		}
		s.udp.Close()
	}
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s.wg.Add(2)
	go s.serveUDP()
	go s.serveTCP()
	t.Cleanup(s.stop)
	return s
}

// Addr returns the server's address, "127.0.0.1:port", for UDP and TCP.
func (s *Server) Addr() string { return s.udp.LocalAddr().String() }

// FailName makes the server fail every query for name (any type, any case,
// with or without a trailing dot) as f says; NoFailure clears it. A failure
// at a CNAME's target does not apply to a query for the CNAME's owner.
func (s *Server) FailName(name string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == NoFailure {
		delete(s.failures, dnsname.Canonical(name))
		return
	}
	s.failures[dnsname.Canonical(name)] = f
}

// Queries returns a copy of the query log, in the order queries arrived
// (at most the first 100,000).
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.log...)
}

// QueryCount returns how many queries the server has received.
func (s *Server) QueryCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

func (s *Server) stop() {
	close(s.done)
	s.udp.Close()
	s.tcp.Close()
	s.mu.Lock()
	s.stopped = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serveUDP() {
	defer s.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			return // closed by stop
		}
		q := append([]byte(nil), buf[:n]...)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for _, m := range s.handle(q, "udp") {
				s.udp.WriteTo(m, from)
			}
		}()
	}
}

func (s *Server) serveTCP() {
	defer s.wg.Done()
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			return // closed by stop
		}
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.serveConn(c)
		}()
	}
}

// serveConn answers the length-prefixed queries of one TCP connection
// (RFC 1035 §4.2.2) in turn.
func (s *Server) serveConn(c net.Conn) {
	var lenb [2]byte
	for {
		if _, err := io.ReadFull(c, lenb[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(lenb[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		for _, m := range s.handle(q, "tcp") {
			if _, err := c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(m)))); err != nil {
				return
			}
			if _, err := c.Write(m); err != nil {
				return
			}
		}
	}
}

// handle answers one query and returns the messages to send (none, one, or
// a mismatched one followed by the right one).
func (s *Server) handle(query []byte, network string) [][]byte {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil || h.Response {
		return nil
	}
	qs, err := p.AllQuestions()
	resp := dnsmessage.Message{Header: dnsmessage.Header{ID: h.ID, Response: true,
		OpCode: h.OpCode, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}}
	if err != nil || len(qs) != 1 || qs[0].Class != dnsmessage.ClassINET || h.OpCode != 0 {
		resp.Header.RCode = dnsmessage.RCodeFormatError
		return s.send(resp, network, 512)
	}
	q := qs[0]
	resp.Questions = qs
	limit, edns := 512, false
	if err := p.SkipAllAnswers(); err == nil {
		if err := p.SkipAllAuthorities(); err == nil {
			for {
				ah, err := p.AdditionalHeader()
				if err != nil {
					break
				}
				if ah.Type == dnsmessage.TypeOPT {
					edns = true
					limit = max(limit, int(ah.Class)) // the OPT class is the UDP size
				}
				if p.SkipAdditional() != nil {
					break
				}
			}
		}
	}
	s.record(Query{Network: network, Name: q.Name.String(), Type: q.Type, EDNS: edns})
	if s.opts.NoEDNS {
		limit, edns = 512, false
	}
	if edns {
		var opt dnsmessage.ResourceHeader
		if opt.SetEDNS0(4096, dnsmessage.RCodeSuccess, false) == nil {
			resp.Additionals = []dnsmessage.Resource{{Header: opt, Body: &dnsmessage.OPTResource{}}}
		}
	}

	s.mu.Lock()
	fail := s.failures[dnsname.Canonical(q.Name.String())]
	s.mu.Unlock()
	switch {
	case fail == Timeout:
		return nil
	case fail == ServFail:
		resp.Header.RCode = dnsmessage.RCodeServerFailure
	case s.opts.NXDomainAll:
		resp.Header.RCode = dnsmessage.RCodeNameError
	default:
		s.answer(&resp, q)
	}
	if !s.wait() {
		return nil
	}
	if network == "tcp" {
		limit = 65535
	}
	right := s.send(resp, network, limit)
	switch fail {
	case WrongID, WrongOnly:
		resp.Header.ID ^= 0x5a5a
	case WrongQuestion:
		wrong, err := dnsmessage.NewName("wrong." + q.Name.String())
		if err != nil {
			wrong = dnsmessage.MustNewName("wrong.invalid.")
		}
		resp.Questions = []dnsmessage.Question{{Name: wrong, Type: q.Type, Class: q.Class}}
	default:
		return right
	}
	wrong := s.send(resp, network, limit)
	if fail == WrongOnly {
		return wrong
	}
	return append(wrong, right...)
}

// wait applies Options.Delay; it reports false when the server stopped.
func (s *Server) wait() bool {
	if s.opts.Delay <= 0 {
		return true
	}
	t := time.NewTimer(s.opts.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

func (s *Server) record(q Query) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if len(s.log) < maxLog {
		s.log = append(s.log, q)
	}
}

// send packs m; a UDP answer over limit bytes goes out truncated: TC set,
// record sections empty but for the OPT record (RFC 2181 §9).
func (s *Server) send(m dnsmessage.Message, network string, limit int) [][]byte {
	b, err := m.Pack()
	if err != nil {
		m.Header.RCode = dnsmessage.RCodeServerFailure
		m.Answers, m.Authorities = nil, nil
		if b, err = m.Pack(); err != nil {
			return nil
		}
	}
	if network == "udp" && len(b) > limit {
		m.Header.Truncated = true
		m.Answers, m.Authorities = nil, nil
		if b, err = m.Pack(); err != nil {
			return nil
		}
	}
	return [][]byte{b}
}

// maxChain bounds the CNAMEs put in one answer, as the zone bounds its own;
// the answer to a longer chain stops at its eighth CNAME.
const maxChain = 8

// answer fills m's answer and authority sections for q from the zone.
func (s *Server) answer(m *dnsmessage.Message, q dnsmessage.Question) {
	ctx := context.Background()
	owner := q.Name
	name := q.Name.String()
	if q.Type != dnsmessage.TypeCNAME {
		for hops := 0; ; hops++ {
			target, err := s.zone.LookupCNAMETarget(ctx, name)
			if err != nil {
				if !domainauth.IsNotFound(err) {
					m.Header.RCode = dnsmessage.RCodeServerFailure
					m.Answers = nil
					return
				}
				break
			}
			tn, err := dnsmessage.NewName(fqdn(target))
			if err != nil {
				break
			}
			if hops == maxChain {
				// A longer chain (or a loop) is left partly followed, with
				// no data and no SOA: the client may ask for its end.
				return
			}
			m.Answers = append(m.Answers, dnsmessage.Resource{
				Header: s.header(owner, name, dnsmessage.TypeCNAME),
				Body:   &dnsmessage.CNAMEResource{CNAME: tn}})
			owner, name = tn, target
		}
	}
	bodies, err := s.data(ctx, name, q.Type)
	if err != nil && !domainauth.IsNotFound(err) {
		m.Header.RCode = dnsmessage.RCodeServerFailure
		m.Answers = nil
		return
	}
	if len(bodies) > 0 {
		h := s.header(owner, name, q.Type)
		for _, b := range bodies {
			m.Answers = append(m.Answers, dnsmessage.Resource{Header: h, Body: b})
		}
		return
	}
	exists, err := s.zone.LookupExists(ctx, name)
	switch {
	case err != nil:
		m.Header.RCode = dnsmessage.RCodeServerFailure
		m.Answers = nil
		return
	case !exists:
		m.Header.RCode = dnsmessage.RCodeNameError // RFC 6604: of the last name in the chain
	}
	if soa := s.soa(name); soa != nil {
		m.Authorities = append(m.Authorities, *soa)
	}
}

// header returns a record header for owner whose TTL is that of the zone's
// records of type t at name, or zone.DefaultTTL.
func (s *Server) header(owner dnsmessage.Name, name string, t dnsmessage.Type) dnsmessage.ResourceHeader {
	ttl := uint32(zone.DefaultTTL)
	if rrs := s.zone.Lookup(name, zone.Type(t)); len(rrs) > 0 {
		ttl = rrs[0].TTL
	}
	return dnsmessage.ResourceHeader{Name: owner, Type: t, Class: dnsmessage.ClassINET, TTL: ttl}
}

// soa returns the SOA record of the closest apex at or above name, with the
// negative-caching TTL of RFC 2308 §3 (the lesser of its TTL and MINIMUM).
func (s *Server) soa(name string) *dnsmessage.Resource {
	for p := dnsname.Canonical(name); p != ""; p = dnsname.Parent(p) {
		rrs := s.zone.Lookup(p, zone.TypeSOA)
		if len(rrs) == 0 || rrs[0].SOA == nil {
			continue
		}
		b := body(rrs[0])
		owner, err := dnsmessage.NewName(fqdn(p))
		if b == nil || err != nil {
			return nil
		}
		return &dnsmessage.Resource{
			Header: dnsmessage.ResourceHeader{Name: owner, Type: dnsmessage.TypeSOA,
				Class: dnsmessage.ClassINET, TTL: min(rrs[0].TTL, rrs[0].SOA.Minimum)},
			Body: b,
		}
	}
	return nil
}

// data returns the record bodies of type t at name (no CNAME following:
// the caller did that), or the zone's error.
func (s *Server) data(ctx context.Context, name string, t dnsmessage.Type) ([]dnsmessage.ResourceBody, error) {
	var out []dnsmessage.ResourceBody
	switch t {
	case dnsmessage.TypeA, dnsmessage.TypeAAAA:
		network := "ip4"
		if t == dnsmessage.TypeAAAA {
			network = "ip6"
		}
		var addrs []netip.Addr
		var err error
		if dnsname.MaybeAddr(dnsname.Canonical(name)) {
			// A name that looks like an address literal would come back as
			// itself from LookupNetIP; only the zone's records count here.
			for _, rr := range s.zone.Lookup(name, zone.Type(t)) {
				addrs = append(addrs, rr.Addr)
			}
		} else if addrs, err = s.zone.LookupNetIP(ctx, network, name); err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if t == dnsmessage.TypeA {
				out = append(out, &dnsmessage.AResource{A: a.As4()})
			} else {
				out = append(out, &dnsmessage.AAAAResource{AAAA: a.As16()})
			}
		}
	case dnsmessage.TypeTXT:
		txts, err := s.zone.LookupTXTStrings(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, txt := range txts {
			out = append(out, &dnsmessage.TXTResource{TXT: txt})
		}
	case dnsmessage.TypeMX:
		mxs, err := s.zone.LookupMX(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, mx := range mxs {
			host, err := dnsmessage.NewName(fqdn(mx.Host))
			if err != nil {
				continue
			}
			out = append(out, &dnsmessage.MXResource{Pref: mx.Pref, MX: host})
		}
	case dnsmessage.TypeCNAME:
		target, err := s.zone.LookupCNAMETarget(ctx, name)
		if err != nil {
			return nil, err
		}
		if tn, err := dnsmessage.NewName(fqdn(target)); err == nil {
			out = append(out, &dnsmessage.CNAMEResource{CNAME: tn})
		}
	case dnsmessage.TypePTR, dnsmessage.TypeNS, dnsmessage.TypeSOA:
		for _, rr := range s.zone.Lookup(name, zone.Type(t)) {
			if b := body(rr); b != nil {
				out = append(out, b)
			}
		}
	}
	return out, nil
}

// body converts a PTR, NS or SOA record of the zone.
func body(rr zone.RR) dnsmessage.ResourceBody {
	switch rr.Type {
	case zone.TypePTR, zone.TypeNS:
		n, err := dnsmessage.NewName(fqdn(rr.Target))
		if err != nil {
			return nil
		}
		if rr.Type == zone.TypePTR {
			return &dnsmessage.PTRResource{PTR: n}
		}
		return &dnsmessage.NSResource{NS: n}
	case zone.TypeSOA:
		mname, err1 := dnsmessage.NewName(fqdn(rr.SOA.MName))
		rname, err2 := dnsmessage.NewName(fqdn(rr.SOA.RName))
		if err1 != nil || err2 != nil {
			return nil
		}
		return &dnsmessage.SOAResource{NS: mname, MBox: rname, Serial: rr.SOA.Serial,
			Refresh: rr.SOA.Refresh, Retry: rr.SOA.Retry, Expire: rr.SOA.Expire, MinTTL: rr.SOA.Minimum}
	}
	return nil
}

// fqdn adds the trailing dot dnsmessage names need.
func fqdn(name string) string {
	if name == "" || name[len(name)-1] != '.' {
		return name + "."
	}
	return name
}
