package audit

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/spf"
)

// memo is the resolver of one audit: it asks each question (lookup method,
// network and name, spelled exactly as asked) once, and every area that asks
// it again, or at the same time, gets that answer. The areas are
// independent and read many of the same records (the domain's TXT records
// serve the SPF, DMARC and SES checks; the MAIL FROM domain's MX the MAIL
// FROM and SES areas), so an audit asks each record once.
//
// Failures are kept as well as answers: within one audit a record that
// failed once fails everywhere, rather than costing a second timeout and
// giving the areas different views of DNS.
//
// Each new question runs in its own goroutine under the audit's context,
// not the caller's: a caller that stops waiting (a canceled prefetch, an
// area whose own deadline passed) leaves the answer to the others. close
// cancels what is still running and waits for it, so no goroutine outlives
// the audit.
type memo struct {
	r      domainauth.Resolver
	strs   domainauth.TXTStringsResolver // nil without the capability
	cname  domainauth.CNAMEResolver
	exists domainauth.ExistenceResolver
	spfRR  spf.SPFRRResolver

	ctx    context.Context // the audit's; canceled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup // the lookups

	mu      sync.Mutex
	answers map[memoKey]*memoEntry
}

type lookupKind uint8

const (
	lookupTXT lookupKind = iota
	lookupTXTStrings
	lookupMX
	lookupNetIP
	lookupAddr
	lookupCNAME
	lookupExists
	lookupSPFRR
)

type memoKey struct {
	kind    lookupKind
	network string // LookupNetIP's
	name    string
}

// memoEntry is one question: done is closed when val and err are set.
type memoEntry struct {
	done chan struct{}
	val  any
	err  error
}

func newMemo(ctx context.Context, r domainauth.Resolver) *memo {
	m := &memo{r: r, answers: make(map[memoKey]*memoEntry)}
	m.ctx, m.cancel = context.WithCancel(ctx)
	m.strs, _ = r.(domainauth.TXTStringsResolver)
	m.cname, _ = r.(domainauth.CNAMEResolver)
	m.exists, _ = r.(domainauth.ExistenceResolver)
	m.spfRR, _ = r.(spf.SPFRRResolver)
	return m
}

// close cancels the lookups still running (prefetches nobody waited for)
// and waits for them to end.
func (m *memo) close() {
	m.cancel()
	m.wg.Wait()
}

// ask returns the entry of the question k, asking it if it is new.
func (m *memo) ask(k memoKey) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.answers[k]; ok {
		return e
	}
	e := &memoEntry{done: make(chan struct{})}
	m.answers[k] = e
	m.wg.Go(func() {
		e.val, e.err = m.lookup(m.ctx, k)
		close(e.done)
	})
	return e
}

// lookup asks the wrapped resolver the question k.
func (m *memo) lookup(ctx context.Context, k memoKey) (any, error) {
	switch k.kind {
	case lookupTXT:
		return m.r.LookupTXT(ctx, k.name)
	case lookupTXTStrings:
		return m.strs.LookupTXTStrings(ctx, k.name)
	case lookupMX:
		return m.r.LookupMX(ctx, k.name)
	case lookupNetIP:
		return m.r.LookupNetIP(ctx, k.network, k.name)
	case lookupAddr:
		return m.r.LookupAddr(ctx, k.name)
	case lookupCNAME:
		return m.cname.LookupCNAMETarget(ctx, k.name)
	case lookupExists:
		return m.exists.LookupExists(ctx, k.name)
	default:
		return m.spfRR.LookupSPFRR(ctx, k.name)
	}
}

// started returns the entry of k if its lookup has started.
func (m *memo) started(k memoKey) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.answers[k]
}

// wait waits for e's answer, or for ctx to end.
func (e *memoEntry) wait(ctx context.Context) (any, error) {
	select {
	case <-e.done:
		return e.val, e.err
	default:
	}
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// resolver returns m as a domainauth.Resolver with exactly the optional
// capabilities of the resolver it wraps: a check that finds one missing
// says "unknown", so adding one would change the audit, and dropping one
// would lose a check.
func (m *memo) resolver() domainauth.Resolver {
	type (
		base   = domainauth.Resolver
		strs   = domainauth.TXTStringsResolver
		cname  = domainauth.CNAMEResolver
		exists = domainauth.ExistenceResolver
		spfRR  = spf.SPFRRResolver
	)
	caps := 0
	for i, has := range []bool{m.strs != nil, m.cname != nil, m.exists != nil, m.spfRR != nil} {
		if has {
			caps |= 1 << i
		}
	}
	switch caps {
	case 0b0000:
		return struct{ base }{m}
	case 0b0001:
		return struct {
			base
			strs
		}{m, m}
	case 0b0010:
		return struct {
			base
			cname
		}{m, m}
	case 0b0011:
		return struct {
			base
			strs
			cname
		}{m, m, m}
	case 0b0100:
		return struct {
			base
			exists
		}{m, m}
	case 0b0101:
		return struct {
			base
			strs
			exists
		}{m, m, m}
	case 0b0110:
		return struct {
			base
			cname
			exists
		}{m, m, m}
	case 0b0111:
		return struct {
			base
			strs
			cname
			exists
		}{m, m, m, m}
	case 0b1000:
		return struct {
			base
			spfRR
		}{m, m}
	case 0b1001:
		return struct {
			base
			strs
			spfRR
		}{m, m, m}
	case 0b1010:
		return struct {
			base
			cname
			spfRR
		}{m, m, m}
	case 0b1011:
		return struct {
			base
			strs
			cname
			spfRR
		}{m, m, m, m}
	case 0b1100:
		return struct {
			base
			exists
			spfRR
		}{m, m, m}
	case 0b1101:
		return struct {
			base
			strs
			exists
			spfRR
		}{m, m, m, m}
	case 0b1110:
		return struct {
			base
			cname
			exists
			spfRR
		}{m, m, m, m}
	default:
		return m
	}
}

// The answers are shared, so each caller gets its own copy: the packages
// may sort or trim what a lookup returns.

// LookupTXT returns the TXT records at name. When the wrapped resolver has
// the TXTStrings capability and the character-strings of name were asked
// (the SPF lint asks for them), a successful answer to that question is
// used, joined: it is the same TXT query on the wire.
func (m *memo) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if m.strs != nil {
		if e := m.started(memoKey{kind: lookupTXTStrings, name: name}); e != nil {
			if v, err := e.wait(ctx); err == nil {
				strs, _ := v.([][]string)
				out := make([]string, len(strs))
				for i, s := range strs {
					out[i] = strings.Join(s, "")
				}
				return out, nil
			} else if ctx.Err() != nil {
				return nil, err
			}
		}
	}
	v, err := m.ask(memoKey{kind: lookupTXT, name: name}).wait(ctx)
	s, _ := v.([]string)
	return slices.Clone(s), err
}

// LookupTXTStrings is the TXTStrings capability.
func (m *memo) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	v, err := m.ask(memoKey{kind: lookupTXTStrings, name: name}).wait(ctx)
	s, _ := v.([][]string)
	if s == nil {
		return nil, err
	}
	out := make([][]string, len(s))
	for i, strs := range s {
		out[i] = slices.Clone(strs)
	}
	return out, err
}

// LookupMX returns the MX records at name.
func (m *memo) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	v, err := m.ask(memoKey{kind: lookupMX, name: name}).wait(ctx)
	s, _ := v.([]*net.MX)
	if s == nil {
		return nil, err
	}
	out := make([]*net.MX, len(s))
	for i, mx := range s {
		if mx != nil {
			c := *mx
			out[i] = &c
		}
	}
	return out, err
}

// LookupNetIP returns host's addresses of network.
func (m *memo) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	v, err := m.ask(memoKey{kind: lookupNetIP, network: network, name: host}).wait(ctx)
	s, _ := v.([]netip.Addr)
	return slices.Clone(s), err
}

// LookupAddr returns the PTR names of addr.
func (m *memo) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	v, err := m.ask(memoKey{kind: lookupAddr, name: addr}).wait(ctx)
	s, _ := v.([]string)
	return slices.Clone(s), err
}

// LookupCNAMETarget is the CNAME capability.
func (m *memo) LookupCNAMETarget(ctx context.Context, name string) (string, error) {
	v, err := m.ask(memoKey{kind: lookupCNAME, name: name}).wait(ctx)
	s, _ := v.(string)
	return s, err
}

// LookupExists is the Existence capability.
func (m *memo) LookupExists(ctx context.Context, name string) (bool, error) {
	v, err := m.ask(memoKey{kind: lookupExists, name: name}).wait(ctx)
	b, _ := v.(bool)
	return b, err
}

// LookupSPFRR is the spf package's SPFRR capability.
func (m *memo) LookupSPFRR(ctx context.Context, name string) ([]string, error) {
	v, err := m.ask(memoKey{kind: lookupSPFRR, name: name}).wait(ctx)
	s, _ := v.([]string)
	return slices.Clone(s), err
}
