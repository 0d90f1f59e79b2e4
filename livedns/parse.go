package livedns

import (
	"errors"
	"net/netip"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// reply is the part of an answer the lookups use.
type reply struct {
	rcode     dnsmessage.RCode
	truncated bool
	records   []record // the answer section's records of class IN and a type read
	soaTTL    uint32   // the negative-caching TTL of the authority section's SOA
	hasSOA    bool
}

// record is one answer record. Names are canonical: lower case, no
// trailing dot; the root is ".".
type record struct {
	owner  string
	typ    dnsmessage.Type
	ttl    uint32
	target string     // CNAME, MX, PTR, NS
	pref   uint16     // MX
	addr   netip.Addr // A, AAAA
	txt    []string   // TXT
}

var (
	// errMismatch marks a message that does not answer the query: not a
	// response, another ID, another question. It is ignored, never trusted.
	errMismatch = errors.New("answer does not match the query")
	// errTooManyRecords is returned when an answer section holds more
	// records than MaxRecords.
	errTooManyRecords = errors.New("answer has too many records")
)

// parseReply reads msg as the answer to the query (id, qname, qtype);
// qname is canonical. It returns errMismatch for a message that is not that
// answer, errTooManyRecords past maxRecords answer records, and another
// error for a malformed answer.
func parseReply(msg []byte, id uint16, qname string, qtype dnsmessage.Type, maxRecords int) (*reply, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || !h.Response || h.ID != id {
		return nil, errMismatch
	}
	// RFC 5452 §9.1: the question must be the one asked, and only it.
	q, err := p.Question()
	if err != nil || q.Type != qtype || q.Class != dnsmessage.ClassINET || canonical(q.Name) != qname {
		return nil, errMismatch
	}
	if _, err := p.Question(); err != dnsmessage.ErrSectionDone {
		return nil, errMismatch
	}
	rep := &reply{rcode: h.RCode, truncated: h.Truncated}
	if h.Truncated {
		return rep, nil // the rest may be cut anywhere; TCP will tell
	}
	for n := 0; ; n++ {
		hdr, err := p.AnswerHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err != nil {
			return nil, err
		}
		if n == maxRecords {
			return nil, errTooManyRecords
		}
		rec, err := readRecord(&p, hdr)
		if err != nil {
			return nil, err
		}
		if rec.typ != 0 {
			rep.records = append(rep.records, rec)
		}
	}
	for {
		hdr, err := p.AuthorityHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err != nil {
			return nil, err
		}
		if hdr.Type != dnsmessage.TypeSOA || hdr.Class != dnsmessage.ClassINET || rep.hasSOA {
			if err := p.SkipAuthority(); err != nil {
				return nil, err
			}
			continue
		}
		soa, err := p.SOAResource()
		if err != nil {
			return nil, err
		}
		// RFC 2308 §5: a negative answer lives for the lesser of the SOA's
		// TTL and its MINIMUM field.
		rep.soaTTL, rep.hasSOA = min(hdr.TTL, soa.MinTTL), true
	}
	return rep, nil
}

// readRecord reads the body of one answer record; a record of another
// class or of a type no lookup uses is skipped and returned with typ 0.
func readRecord(p *dnsmessage.Parser, hdr dnsmessage.ResourceHeader) (record, error) {
	rec := record{owner: canonical(hdr.Name), typ: hdr.Type, ttl: hdr.TTL}
	if hdr.Class != dnsmessage.ClassINET {
		return record{}, p.SkipAnswer()
	}
	switch hdr.Type {
	case dnsmessage.TypeA:
		r, err := p.AResource()
		rec.addr = netip.AddrFrom4(r.A)
		return rec, err
	case dnsmessage.TypeAAAA:
		r, err := p.AAAAResource()
		rec.addr = netip.AddrFrom16(r.AAAA)
		return rec, err
	case dnsmessage.TypeCNAME:
		r, err := p.CNAMEResource()
		rec.target = canonical(r.CNAME)
		return rec, err
	case dnsmessage.TypeMX:
		r, err := p.MXResource()
		rec.target, rec.pref = canonical(r.MX), r.Pref
		return rec, err
	case dnsmessage.TypePTR:
		r, err := p.PTRResource()
		rec.target = canonical(r.PTR)
		return rec, err
	case dnsmessage.TypeNS:
		r, err := p.NSResource()
		rec.target = canonical(r.NS)
		return rec, err
	case dnsmessage.TypeTXT:
		r, err := p.TXTResource()
		rec.txt = r.TXT
		return rec, err
	}
	return record{}, p.SkipAnswer()
}

// canonical returns a wire name lower-cased without its trailing dot; the
// root stays ".".
func canonical(n dnsmessage.Name) string {
	s := n.String()
	if s == "." {
		return s
	}
	return dnsname.Canonical(s)
}
