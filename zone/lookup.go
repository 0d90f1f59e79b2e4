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
	_ domainauth.ExistenceResolver  = (*Zone)(nil)
)

// Fault is a failure injected into lookups, for testing how code handles a
// misbehaving DNS.
type Fault uint8

const (
	// FaultNone clears an injected fault.
	FaultNone Fault = iota
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
// type, and FaultNone clears it. A and AAAA faults affect LookupNetIP, PTR
// faults LookupAddr (at the reverse name), CNAME faults LookupCNAMETarget.
// Faults apply at every name of a CNAME chain.
func (z *Zone) SetFault(name string, t Type, f Fault) {
	z.mu.Lock()
	defer z.mu.Unlock()
	k := faultKey{key(name), t}
	if f == FaultNone {
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

// faultErr returns the injected error for (k, t), if any, naming the
// queried name as *net.Resolver does. Caller holds mu.
func (z *Zone) faultErr(k string, t Type, name string) error {
	if len(z.faults) == 0 {
		return nil
	}
	f, ok := z.faults[faultKey{k, t}]
	if !ok {
		f, ok = z.faults[faultKey{k, TypeANY}]
	}
	if !ok {
		return nil
	}
	if f == FaultTimeout {
		return domainauth.TimeoutError(name)
	}
	return domainauth.TemporaryError(name, "server misbehaving")
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
		if err := z.faultErr(k, t, name); err != nil {
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
	return nil, domainauth.TemporaryError(name, "CNAME chain too long or looping")
}

// wildcard returns the node of the wildcard that covers a name that does not
// exist (RFC 4592 §3.3.1): "*." under the closest existing ancestor.
func (z *Zone) wildcard(k string) *node {
	if len(z.wild) == 0 || z.exists[k] {
		return nil // no wildcards, or an empty non-terminal: NODATA
	}
	for p := dnsname.Parent(k); p != ""; p = dnsname.Parent(p) {
		if n := z.wild[p]; n != nil {
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
	return lookup(z, ctx, name, TypeTXT, func(n *node) ([]string, bool) {
		if len(n.txt) == 0 {
			return nil, false
		}
		return cloneStrings(n.txt), true
	})
}

// LookupTXTStrings returns the TXT records at name with their
// character-strings kept apart (domainauth.TXTStringsResolver).
func (z *Zone) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	return lookup(z, ctx, name, TypeTXT, func(n *node) ([][]string, bool) {
		if len(n.txt) == 0 {
			return nil, false
		}
		// Two allocations whatever the number of records: the outer slice
		// and one backing array that the records' string slices share.
		total := 0
		for _, rr := range n.rrs {
			if rr.Type == TypeTXT {
				total += len(rr.Text)
			}
		}
		out := make([][]string, 0, len(n.txt))
		strs := make([]string, 0, total)
		for _, rr := range n.rrs {
			if rr.Type == TypeTXT {
				start := len(strs)
				strs = append(strs, rr.Text...)
				out = append(out, strs[start:len(strs):len(strs)])
			}
		}
		return out, true
	})
}

// LookupMX returns the MX records at name ordered by preference (records of
// equal preference stay in the order added); hosts end with a dot, and a
// null MX (RFC 7505) has host ".".
func (z *Zone) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return lookup(z, ctx, name, TypeMX, func(n *node) ([]*net.MX, bool) {
		switch len(n.mx) {
		case 0:
			return nil, false
		case 1:
			// One MX, the usual case: the record and the slice that points
			// at it in one allocation.
			one := &struct {
				p  [1]*net.MX
				mx net.MX
			}{mx: n.mx[0]}
			one.p[0] = &one.mx
			return one.p[:], true
		}
		mx := slices.Clone(n.mx)
		out := make([]*net.MX, len(mx))
		for i := range mx {
			out[i] = &mx[i]
		}
		return out, true
	})
}

// LookupNetIP returns host's addresses: network "ip4" asks for A records,
// "ip6" for AAAA, "ip" for both (A first; *net.Resolver sorts them by RFC
// 6724 instead). With "ip", the addresses of one family are returned even
// when the query for the other fails, as *net.Resolver does unless
// StrictErrors is set. An IP literal is returned as is
// (unlike *net.Resolver, an IPv4 literal stays a 4-byte address); one of
// the wrong family gives a *net.AddrError and an unknown network a
// net.UnknownNetworkError, as from *net.Resolver.
func (z *Zone) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	want4, want6, literal, err := dnsname.NetIPQuery(network, host)
	if literal != nil || err != nil {
		return literal, err
	}
	if err := z.wait(ctx, host); err != nil {
		return nil, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	// As *net.Resolver (without StrictErrors) does for "ip", addresses of
	// one family are returned even if the query for the other failed; with
	// no addresses, a failure is reported rather than not-found.
	var a4, a6 []netip.Addr
	var failed error
	if want4 {
		n, err := z.resolve(host, TypeA)
		if n != nil {
			a4 = n.addr4
		} else if !domainauth.IsNotFound(err) {
			failed = err
		}
	}
	if want6 {
		n, err := z.resolve(host, TypeAAAA)
		if n != nil {
			a6 = n.addr6
		} else if failed == nil && !domainauth.IsNotFound(err) {
			failed = err
		}
	}
	if len(a4)+len(a6) == 0 {
		if failed != nil {
			return nil, failed
		}
		return nil, domainauth.NotFoundError(host)
	}
	return slices.Concat(a4, a6), nil
}

// LookupAddr returns the names that PTR records give for addr, each ending
// with a dot.
func (z *Zone) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	name := ReverseName(ip) + "." // errors name it absolute, as *net.Resolver's do
	return lookup(z, ctx, name, TypePTR, func(n *node) ([]string, bool) {
		if len(n.ptr) == 0 {
			return nil, false
		}
		return cloneStrings(n.ptr), true
	})
}

// LookupCNAMETarget returns the target of the CNAME record owned by name,
// without a trailing dot (domainauth.CNAMEResolver). A name that has no
// CNAME gives a not-found error.
func (z *Zone) LookupCNAMETarget(ctx context.Context, name string) (string, error) {
	return lookup(z, ctx, name, TypeCNAME, func(n *node) (string, bool) {
		return n.cname, n.cname != ""
	})
}

// LookupExists reports whether name exists (domainauth.ExistenceResolver):
// it owns records of any type, or it is an empty non-terminal (an ancestor
// of a name that does, RFC 8020 §2), or a wildcard synthesises it (RFC 4592
// §3.3.1). The root exists when the zone holds any record. A fault set
// with TypeANY at name fails the lookup, as SetDelay delays it; faults of
// one type do not apply, since no single type is asked.
func (z *Zone) LookupExists(ctx context.Context, name string) (bool, error) {
	if err := z.wait(ctx, name); err != nil {
		return false, err
	}
	k := key(name)
	z.mu.RLock()
	defer z.mu.RUnlock()
	if err := z.faultErr(k, TypeANY, name); err != nil {
		return false, err
	}
	if k == "." || k == "" {
		return len(z.nodes) > 0, nil
	}
	return z.exists[k] || z.wildcard(k) != nil, nil
}

// lookup answers a query of type t at name: it applies the delay and the
// caller's context, finds the answering node (CNAMEs, wildcards, faults) and
// calls read on it under the read lock. read reports false when the node has
// no data of the type: NODATA, which is a not-found error like NXDOMAIN.
func lookup[T any](z *Zone, ctx context.Context, name string, t Type, read func(*node) (T, bool)) (T, error) {
	var zero T
	if err := z.wait(ctx, name); err != nil {
		return zero, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	n, err := z.resolve(name, t)
	if err != nil {
		return zero, err
	}
	v, ok := read(n)
	if !ok {
		return zero, domainauth.NotFoundError(name)
	}
	return v, nil
}

// cloneStrings copies s with make and copy, which costs less than
// slices.Clone's append on this hot path.
func cloneStrings(s []string) []string {
	out := make([]string, len(s))
	copy(out, s)
	return out
}
