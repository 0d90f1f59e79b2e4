package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// liveResolver is a *net.Resolver with the two optional capabilities
// *net.Resolver lacks, CNAME targets (for the Easy DKIM and MX alias checks)
// and TXT records with their character-strings kept apart (for the SPF
// 255-byte check). Those two are answered by asking the name server
// directly: one question, recursion desired, UDP with a TCP retry when the
// answer is truncated (RFC 1035 §4.2).
type liveResolver struct {
	*net.Resolver
	server string // host:port of the recursive name server
}

var (
	_ domainauth.CNAMEResolver      = (*liveResolver)(nil)
	_ domainauth.TXTStringsResolver = (*liveResolver)(nil)
)

// systemNameServer returns the first name server of /etc/resolv.conf, or ""
// when there is none to read (the capabilities are then left out).
func systemNameServer() string {
	f, err := os.Open("/etc/resolv.conf")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			return net.JoinHostPort(strings.TrimSuffix(fields[1], "."), "53")
		}
	}
	return ""
}

// LookupCNAMETarget returns the target of the CNAME owned by name itself
// (one hop), or a not-found error when name has none.
func (l *liveResolver) LookupCNAMETarget(ctx context.Context, name string) (string, error) {
	qname := dnsname.Canonical(name)
	answers, err := l.query(ctx, qname, dnsmessage.TypeCNAME)
	if err != nil {
		return "", err
	}
	for _, rr := range answers {
		if c, ok := rr.Body.(*dnsmessage.CNAMEResource); ok && dnsname.Equal(rr.Header.Name.String(), qname) {
			return dnsname.Canonical(c.CNAME.String()), nil
		}
	}
	return "", domainauth.NotFoundError(qname)
}

// LookupTXTStrings returns the TXT records at name (following the CNAME
// chain the server includes), one []string of character-strings each.
func (l *liveResolver) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	qname := dnsname.Canonical(name)
	answers, err := l.query(ctx, qname, dnsmessage.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, rr := range answers {
		if t, ok := rr.Body.(*dnsmessage.TXTResource); ok {
			out = append(out, t.TXT)
		}
	}
	if len(out) == 0 {
		return nil, domainauth.NotFoundError(qname)
	}
	return out, nil
}

// maxDNSMessage bounds a TCP answer (RFC 1035 §4.2.2 allows 65535).
const maxDNSMessage = 65535

// query asks one question and returns the answer section. NXDOMAIN is a
// not-found error; any other failure is temporary.
func (l *liveResolver) query(ctx context.Context, name string, qtype dnsmessage.Type) ([]dnsmessage.Resource, error) {
	qn, err := dnsmessage.NewName(name + ".")
	if err != nil {
		return nil, domainauth.NotFoundError(name)
	}
	var idb [2]byte
	rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	q := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: qn, Type: qtype, Class: dnsmessage.ClassINET}},
	}
	packed, err := q.Pack()
	if err != nil {
		return nil, domainauth.TemporaryError(name, err.Error(), false)
	}
	resp, err := l.exchange(ctx, "udp", packed)
	if err == nil && resp.Header.Truncated {
		resp, err = l.exchange(ctx, "tcp", packed)
	}
	if err != nil {
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout()
		return nil, domainauth.TemporaryError(name, err.Error(), timeout)
	}
	if resp.Header.ID != id {
		return nil, domainauth.TemporaryError(name, "answer does not match the question", false)
	}
	switch resp.Header.RCode {
	case dnsmessage.RCodeSuccess:
		return resp.Answers, nil
	case dnsmessage.RCodeNameError:
		return nil, domainauth.NotFoundError(name)
	default:
		return nil, domainauth.TemporaryError(name, "server misbehaving ("+resp.Header.RCode.String()+")", false)
	}
}

// exchange sends one packed query over network and reads the answer.
func (l *liveResolver) exchange(ctx context.Context, network string, packed []byte) (*dnsmessage.Message, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, l.server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	var buf []byte
	if network == "tcp" {
		msg := binary.BigEndian.AppendUint16(nil, uint16(len(packed)))
		if _, err := conn.Write(append(msg, packed...)); err != nil {
			return nil, err
		}
		var lenb [2]byte
		if _, err := io.ReadFull(conn, lenb[:]); err != nil {
			return nil, err
		}
		buf = make([]byte, binary.BigEndian.Uint16(lenb[:]))
		if _, err := io.ReadFull(conn, buf); err != nil {
			return nil, err
		}
	} else {
		if _, err := conn.Write(packed); err != nil {
			return nil, err
		}
		buf = make([]byte, maxDNSMessage)
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		buf = buf[:n]
	}
	var m dnsmessage.Message
	if err := m.Unpack(buf); err != nil {
		return nil, fmt.Errorf("malformed answer: %v", err)
	}
	return &m, nil
}
