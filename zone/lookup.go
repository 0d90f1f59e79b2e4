package zone

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Compile-time proof that a Zone offers every capability.
var (
	_ domainauth.Resolver           = (*Zone)(nil)
	_ domainauth.TXTStringsResolver = (*Zone)(nil)
	_ domainauth.CNAMEResolver      = (*Zone)(nil)
)

// Fault is a failure injected into lookups, for testing how code handles a
// misbehaving DNS.
type Fault uint8

const (
	// NoFault clears an injected fault.
	NoFault Fault = iota
	// FaultTimeout makes the lookup fail as a timed-out query does.
	FaultTimeout
	// FaultServFail makes the lookup fail as a SERVFAIL answer does.
	FaultServFail
)

type faultKey struct {
	name string
	t    Type
}

// SetFault makes lookups of type t at name fail with f; TypeANY covers every
// type, and NoFault clears it. A and AAAA faults affect LookupNetIP, PTR
// faults LookupAddr (at the reverse name), CNAME faults LookupCNAMETarget.
// Faults apply at every name of a CNAME chain.
func (z *Zone) SetFault(name string, t Type, f Fault) {
	z.mu.Lock()
	defer z.mu.Unlock()
	k := faultKey{key(name), t}
	if f == NoFault {
		delete(z.faults, k)
		return
	}
	if z.faults == nil {
		z.faults = make(map[faultKey]Fault)
	}
	z.faults[k] = f
}

// SetDelay makes every lookup wait d before it answers, honouring its
// context: latency benchmarks and timeout tests use it.
func (z *Zone) SetDelay(d time.Duration) {
	z.delay.Store(int64(d))
}

// faultErr returns the injected error for (name, t), if any. Caller holds mu.
func (z *Zone) faultErr(name string, t Type) error {
	if len(z.faults) == 0 {
		return nil
	}
	f, ok := z.faults[faultKey{name, t}]
	if !ok {
		f, ok = z.faults[faultKey{name, TypeANY}]
	}
	if !ok {
		return nil
	}
	if f == FaultTimeout {
		return domainauth.TemporaryError(name, "i/o timeout", true)
	}
	return domainauth.TemporaryError(name, "server misbehaving", false)
}

// wait applies the configured delay and checks ctx before a lookup.
func (z *Zone) wait(ctx context.Context, name string) error {
	if d := time.Duration(z.delay.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if err := ctx.Err(); err != nil {
		return &net.DNSError{Err: err.Error(), Name: name,
			IsTimeout: errors.Is(err, context.DeadlineExceeded), UnwrapErr: err}
	}
	return nil
}

// resolve finds the node answering a query of type t at name: it follows
// CNAMEs (unless t is CNAME) and wildcards, and applies faults. A nil node
// with a nil error cannot happen: absence is a not-found error.
// Caller holds mu for reading.
func (z *Zone) resolve(name string, t Type) (*node, error) {
	k := key(name)
	for range maxCNAMEChain + 1 {
		if err := z.faultErr(k, t); err != nil {
			return nil, err
		}
		n := z.nodes[k]
		if n == nil {
			n = z.wildcard(k)
		}
		if n == nil {
			return nil, domainauth.NotFoundError(name)
		}
		if n.cname == "" || t == TypeCNAME {
			return n, nil
		}
		k = n.cname
	}
	return nil, domainauth.TemporaryError(name, "CNAME chain too long or looping", false)
}

// wildcard returns the node of the wildcard that covers a name that does not
// exist (RFC 4592 §3.3.1): "*." under the closest existing ancestor.
func (z *Zone) wildcard(k string) *node {
	if z.exists[k] {
		return nil // an empty non-terminal: NODATA, never a wildcard
	}
	for p := dnsname.Parent(k); p != ""; p = dnsname.Parent(p) {
		if n := z.nodes["*."+p]; n != nil {
			return n
		}
		if z.exists[p] {
			return nil // the closest encloser has no wildcard
		}
	}
	return nil
}

// LookupTXT returns the TXT records at name, each record's strings joined.
func (z *Zone) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if err := z.wait(ctx, name); err != nil {
		return nil, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	n, err := z.resolve(name, TypeTXT)
	if err != nil {
		return nil, err
	}
	if len(n.txt) == 0 {
		return nil, domainauth.NotFoundError(name)
	}
	return slices.Clone(n.txt), nil
}

// LookupTXTStrings returns the TXT records at name with their
// character-strings kept apart (domainauth.TXTStringsResolver).
func (z *Zone) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	if err := z.wait(ctx, name); err != nil {
		return nil, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	n, err := z.resolve(name, TypeTXT)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, rr := range n.rrs {
		if rr.Type == TypeTXT {
			out = append(out, slices.Clone(rr.Text))
		}
	}
	if out == nil {
		return nil, domainauth.NotFoundError(name)
	}
	return out, nil
}

// LookupMX returns the MX records at name ordered by preference (records of
// equal preference stay in the order added); hosts end with a dot, and a
// null MX (RFC 7505) has host ".".
func (z *Zone) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if err := z.wait(ctx, name); err != nil {
		return nil, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	n, err := z.resolve(name, TypeMX)
	if err != nil {
		return nil, err
	}
	if len(n.mx) == 0 {
		return nil, domainauth.NotFoundError(name)
	}
	mx := slices.Clone(n.mx)
	out := make([]*net.MX, len(mx))
	for i := range mx {
		out[i] = &mx[i]
	}
	return out, nil
}

// LookupNetIP returns host's addresses: network "ip4" asks for A records,
// "ip6" for AAAA, "ip" for both (A first). An IP literal is returned as is,
// as *net.Resolver does.
func (z *Zone) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	want4, want6 := network == "ip" || network == "ip4", network == "ip" || network == "ip6"
	if !want4 && !want6 {
		return nil, &net.DNSError{Err: "unknown network " + network, Name: host}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is4() && want4 || !a.Is4() && want6 {
			return []netip.Addr{a}, nil
		}
		return nil, &net.DNSError{Err: "no suitable address", Name: host, IsNotFound: true}
	}
	if err := z.wait(ctx, host); err != nil {
		return nil, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	var out []netip.Addr
	if want4 {
		n, err := z.resolve(host, TypeA)
		if err != nil && !domainauth.IsNotFound(err) {
			return nil, err
		}
		if n != nil {
			out = append(out, n.addr4...)
		}
	}
	if want6 {
		n, err := z.resolve(host, TypeAAAA)
		if err != nil && !domainauth.IsNotFound(err) {
			return nil, err
		}
		if n != nil {
			out = append(out, n.addr6...)
		}
	}
	if len(out) == 0 {
		return nil, domainauth.NotFoundError(host)
	}
	return out, nil
}

// LookupAddr returns the names that PTR records give for addr, each ending
// with a dot.
func (z *Zone) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	name := ReverseName(ip)
	if err := z.wait(ctx, name); err != nil {
		return nil, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	n, err := z.resolve(name, TypePTR)
	if err != nil {
		return nil, err
	}
	if len(n.ptr) == 0 {
		return nil, domainauth.NotFoundError(name)
	}
	return slices.Clone(n.ptr), nil
}

// LookupCNAMETarget returns the target of the CNAME record owned by name,
// without a trailing dot (domainauth.CNAMEResolver). A name that has no
// CNAME gives a not-found error.
func (z *Zone) LookupCNAMETarget(ctx context.Context, name string) (string, error) {
	if err := z.wait(ctx, name); err != nil {
		return "", err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	n, err := z.resolve(name, TypeCNAME)
	if err != nil {
		return "", err
	}
	if n.cname == "" {
		return "", domainauth.NotFoundError(name)
	}
	return n.cname, nil
}
