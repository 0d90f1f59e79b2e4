package livedns

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

// Defaults of the Resolver fields.
const (
	defaultTimeout       = 5 * time.Second
	defaultAttempts      = 2
	defaultUDPSize       = 1232 // fits the IPv6 minimum MTU; DNS Flag Day 2020
	defaultMaxCNAMEChain = 8
	defaultMaxRecords    = 1000
	defaultCacheSize     = 4096
	defaultMaxCacheTTL   = 5 * time.Minute
)

// Compile-time proof of the capabilities.
var (
	_ domainauth.Resolver           = (*Resolver)(nil)
	_ domainauth.TXTStringsResolver = (*Resolver)(nil)
	_ domainauth.CNAMEResolver      = (*Resolver)(nil)
	_ domainauth.ExistenceResolver  = (*Resolver)(nil)
)

// Resolver sends DNS queries to a recursive name server and caches the
// answers. The zero value asks the servers of /etc/resolv.conf with the
// default bounds. A Resolver is safe for concurrent use; it must not be
// copied after first use.
type Resolver struct {
	// Server is the name server to ask, "host:port" or a bare host or
	// address (port 53). If empty, the servers of /etc/resolv.conf (see
	// SystemServers), the next one on each retry.
	Server string

	// Timeout bounds one attempt: the UDP query, its answer and, when that
	// is truncated, the TCP exchange. If zero, 5 seconds. A context
	// deadline that comes sooner wins.
	Timeout time.Duration

	// Attempts is how many times a query is sent when no usable answer
	// comes (a timeout, a network error, a malformed answer). If zero, 2.
	// An answer with an error code (SERVFAIL, REFUSED) is not retried.
	Attempts int

	// UDPSize is the EDNS0 UDP payload size advertised (RFC 6891 §6.2.5);
	// a longer answer comes truncated and is asked again over TCP. If
	// zero, 1232; values below 512 count as 512.
	UDPSize int

	// MaxCNAMEChain bounds the CNAME hops one lookup follows. If zero, 8.
	MaxCNAMEChain int

	// MaxRecords bounds the records read from one answer section. If
	// zero, 1000.
	MaxRecords int

	// CacheSize bounds the cached answers. If zero, 4096; if negative,
	// nothing is cached.
	CacheSize int

	// MaxCacheTTL bounds how long an answer stays cached, whatever its
	// TTL. If zero, 5 minutes.
	MaxCacheTTL time.Duration

	once sync.Once
	list []string // the servers asked, set by once

	mu       sync.Mutex
	cache    map[cacheKey]*answer
	inflight map[cacheKey]*call
}

// Servers returns the name servers the Resolver asks, in order: Server, or
// those of /etc/resolv.conf.
func (r *Resolver) Servers() []string { return slices.Clone(r.servers()) }

func (r *Resolver) servers() []string {
	r.once.Do(func() {
		if r.Server != "" {
			r.list = []string{serverAddr(r.Server)}
			return
		}
		r.list, _ = SystemServers()
	})
	return r.list
}

// cacheKey identifies a cached answer.
type cacheKey struct {
	name  string
	qtype dnsmessage.Type
}

// answer is the outcome of a lookup once CNAMEs are followed.
type answer struct {
	aliased  bool     // the queried name owns a CNAME (so it exists)
	nxdomain bool     // the chain's last name does not exist
	records  []record // records of the asked type at the chain's end; read-only once made
	expires  time.Time
}

// lookup answers (name, qtype), from the cache when it can. Concurrent
// lookups of the same question share one resolution. The answer is shared:
// callers copy what they return.
func (r *Resolver) lookup(ctx context.Context, name string, qtype dnsmessage.Type) (*answer, error) {
	if err := ctxDone(ctx); err != nil {
		return nil, contextError(name, err)
	}
	qname, err := dnsname.Normalize(name)
	if err != nil {
		return nil, domainauth.NotFoundError(name)
	}
	key := cacheKey{qname, qtype}
	for {
		if a := r.cached(key); a != nil {
			return a, nil
		}
		r.mu.Lock()
		if c := r.inflight[key]; c != nil {
			r.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				return nil, contextError(name, ctx.Err())
			}
			if c.err != nil && c.ctxErr != nil {
				continue // the first caller gave up, not the server: ask again
			}
			return c.a, renamed(c.err, name)
		}
		c := &call{done: make(chan struct{})}
		if r.inflight == nil {
			r.inflight = make(map[cacheKey]*call)
		}
		r.inflight[key] = c
		r.mu.Unlock()

		a, ttl, err := r.resolve(ctx, name, qname, qtype)
		if err == nil {
			r.store(key, a, ttl)
		}
		c.a, c.err, c.ctxErr = a, err, ctxDone(ctx)
		r.mu.Lock()
		delete(r.inflight, key)
		r.mu.Unlock()
		close(c.done)
		return a, err
	}
}

// call is a resolution in flight, which later askers of the same question
// wait for.
type call struct {
	done   chan struct{} // closed when a and err are set
	a      *answer
	err    error
	ctxErr error // the first caller's context error, if it ended
}

// renamed returns err naming name, as the caller who waited spelled it.
func renamed(err error, name string) error {
	if de, ok := err.(*net.DNSError); ok && de.Name != name {
		e := *de
		e.Name = name
		return &e
	}
	return err
}

// resolve asks for (qname, qtype) and follows the CNAME chain. It returns
// the answer and how long it may be cached (0: not at all).
func (r *Resolver) resolve(ctx context.Context, name, qname string, qtype dnsmessage.Type) (*answer, uint32, error) {
	maxHops := r.MaxCNAMEChain
	if maxHops <= 0 {
		maxHops = defaultMaxCNAMEChain
	}
	a := &answer{}
	ttl := uint32(1<<32 - 1)
	cur, hops := qname, 0
	for {
		rep, server, err := r.query(ctx, cur, qtype)
		if err != nil {
			return nil, 0, r.queryError(ctx, name, server, err)
		}
		switch rep.rcode {
		case dnsmessage.RCodeSuccess, dnsmessage.RCodeNameError:
		default:
			return nil, 0, &net.DNSError{Err: "server misbehaving (" + rcodeName(rep.rcode) + ")",
				Name: name, Server: server, IsTemporary: true}
		}
		// Follow the chain through the answer section.
		asked := cur
		for {
			var data []record
			target := ""
			for _, rec := range rep.records {
				switch {
				case rec.owner != cur:
				case rec.typ == qtype:
					data = append(data, rec)
				case rec.typ == dnsmessage.TypeCNAME && target == "":
					target = rec.target
					ttl = min(ttl, rec.ttl)
				}
			}
			if len(data) > 0 || target == "" || qtype == dnsmessage.TypeCNAME {
				for _, d := range data {
					ttl = min(ttl, d.ttl)
				}
				a.records = data
				break
			}
			hops++
			if hops > maxHops {
				return nil, 0, &net.DNSError{Err: "CNAME chain too long or looping", Name: name, Server: server, IsTemporary: true}
			}
			if cur == qname {
				a.aliased = true
			}
			cur = target
		}
		switch {
		case len(a.records) > 0:
			return a, ttl, nil
		case rep.rcode == dnsmessage.RCodeNameError:
			// RFC 6604 §2.1: the code speaks of the chain's last name.
			a.nxdomain = true
		case cur != asked && !rep.hasSOA:
			// The chain left what the server answered for (no negative
			// answer for its end came with it): ask its end.
			continue
		}
		if !rep.hasSOA {
			ttl = 0 // RFC 2308 §5: no SOA, no negative caching
		}
		return a, min(ttl, rep.soaTTL), nil
	}
}

// queryError shapes a failed exchange as *net.Resolver would.
func (r *Resolver) queryError(ctx context.Context, name, server string, err error) error {
	if cerr := ctxDone(ctx); cerr != nil {
		e := contextError(name, cerr)
		e.Server = server
		return e
	}
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout()
	msg := err.Error()
	if timeout {
		msg = "i/o timeout"
	}
	return &net.DNSError{Err: msg, Name: name, Server: server, IsTimeout: timeout, IsTemporary: true, UnwrapErr: err}
}

// contextError reports the caller's context ending, wrapping its error.
func contextError(name string, err error) *net.DNSError {
	return &net.DNSError{Err: err.Error(), Name: name, IsTimeout: errors.Is(err, context.DeadlineExceeded), UnwrapErr: err}
}

// rcodeName names an error code as DNS tools print it.
func rcodeName(c dnsmessage.RCode) string {
	switch c {
	case dnsmessage.RCodeFormatError:
		return "FORMERR"
	case dnsmessage.RCodeServerFailure:
		return "SERVFAIL"
	case dnsmessage.RCodeNotImplemented:
		return "NOTIMP"
	case dnsmessage.RCodeRefused:
		return "REFUSED"
	}
	return "RCODE " + strconv.Itoa(int(c))
}

// cached returns the live cache entry for key, or nil.
func (r *Resolver) cached(key cacheKey) *answer {
	if r.CacheSize < 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.cache[key]
	if a == nil {
		return nil
	}
	if !time.Now().Before(a.expires) {
		delete(r.cache, key)
		return nil
	}
	return a
}

// store caches a for ttl seconds, at most MaxCacheTTL, making room when
// the cache is full.
func (r *Resolver) store(key cacheKey, a *answer, ttl uint32) {
	size := r.CacheSize
	if size < 0 || ttl == 0 {
		return
	}
	if size == 0 {
		size = defaultCacheSize
	}
	maxTTL := r.MaxCacheTTL
	if maxTTL <= 0 {
		maxTTL = defaultMaxCacheTTL
	}
	now := time.Now()
	a.expires = now.Add(min(time.Duration(ttl)*time.Second, maxTTL))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		r.cache = make(map[cacheKey]*answer)
	}
	if _, ok := r.cache[key]; !ok && len(r.cache) >= size {
		r.evict(now)
	}
	r.cache[key] = a
}

// evict removes an expired entry if the first few it looks at include
// one, else an arbitrary entry. Caller holds mu.
func (r *Resolver) evict(now time.Time) {
	var victim cacheKey
	n := 0
	for k, a := range r.cache {
		victim = k
		if !now.Before(a.expires) || n == 8 {
			break
		}
		n++
	}
	delete(r.cache, victim)
}

// data looks (name, qtype) up and returns the records, or a not-found
// error when there are none.
func (r *Resolver) data(ctx context.Context, name string, qtype dnsmessage.Type) ([]record, error) {
	a, err := r.lookup(ctx, name, qtype)
	if err != nil {
		return nil, err
	}
	if len(a.records) == 0 {
		return nil, domainauth.NotFoundError(name)
	}
	return a.records, nil
}

// LookupTXT returns the TXT records at name, each record's
// character-strings joined.
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	recs, err := r.data(ctx, name, dnsmessage.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(recs))
	for i, rec := range recs {
		out[i] = joinStrings(rec.txt)
	}
	return out, nil
}

func joinStrings(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	n := 0
	for _, x := range s {
		n += len(x)
	}
	b := make([]byte, 0, n)
	for _, x := range s {
		b = append(b, x...)
	}
	return string(b)
}

// LookupTXTStrings returns the TXT records at name with their
// character-strings kept apart (domainauth.TXTStringsResolver).
func (r *Resolver) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	recs, err := r.data(ctx, name, dnsmessage.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(recs))
	for i, rec := range recs {
		out[i] = slices.Clone(rec.txt)
	}
	return out, nil
}

// LookupMX returns the MX records at name sorted by preference (equal
// preferences keep the server's order); hosts end with a dot, and a null
// MX (RFC 7505) has host ".".
func (r *Resolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	recs, err := r.data(ctx, name, dnsmessage.TypeMX)
	if err != nil {
		return nil, err
	}
	mx := make([]net.MX, len(recs))
	out := make([]*net.MX, len(recs))
	for i, rec := range recs {
		mx[i] = net.MX{Host: fqdn(rec.target), Pref: rec.pref}
		out[i] = &mx[i]
	}
	slices.SortStableFunc(out, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
	return out, nil
}

// LookupNetIP returns host's addresses: network "ip4" asks for A records,
// "ip6" for AAAA, "ip" for both at once (A first). With "ip", the addresses
// of one family are returned even when the query for the other fails, as
// *net.Resolver does. An IP literal is returned as is; one of the wrong
// family gives a *net.AddrError, an unknown network a
// net.UnknownNetworkError.
func (r *Resolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	want4, want6, literal, err := dnsname.NetIPQuery(network, host)
	if literal != nil || err != nil {
		return literal, err
	}
	var a4, a6 []record
	var err4, err6 error
	switch {
	case want4 && want6:
		var wg sync.WaitGroup
		wg.Go(func() { a6, err6 = r.data(ctx, host, dnsmessage.TypeAAAA) })
		a4, err4 = r.data(ctx, host, dnsmessage.TypeA)
		wg.Wait()
	case want4:
		a4, err4 = r.data(ctx, host, dnsmessage.TypeA)
	default:
		a6, err6 = r.data(ctx, host, dnsmessage.TypeAAAA)
	}
	if len(a4)+len(a6) == 0 {
		// A failure says more than a not-found of the other family.
		for _, err := range []error{err4, err6} {
			if err != nil && !domainauth.IsNotFound(err) {
				return nil, err
			}
		}
		return nil, domainauth.NotFoundError(host)
	}
	out := make([]netip.Addr, 0, len(a4)+len(a6))
	for _, rec := range slices.Concat(a4, a6) {
		out = append(out, rec.addr)
	}
	return out, nil
}

// LookupAddr returns the names, each ending with a dot, that the PTR
// records at addr's reverse name give.
func (r *Resolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	// Errors name it absolute, as *net.Resolver's do.
	recs, err := r.data(ctx, zone.ReverseName(ip)+".", dnsmessage.TypePTR)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(recs))
	for i, rec := range recs {
		out[i] = fqdn(rec.target)
	}
	return out, nil
}

// LookupCNAMETarget returns the target of the CNAME record owned by name
// itself, without a trailing dot (domainauth.CNAMEResolver); a name without
// one gives a not-found error. No chain is followed.
func (r *Resolver) LookupCNAMETarget(ctx context.Context, name string) (string, error) {
	recs, err := r.data(ctx, name, dnsmessage.TypeCNAME)
	if err != nil {
		return "", err
	}
	return recs[0].target, nil
}

// LookupExists reports whether name exists (domainauth.ExistenceResolver):
// false for NXDOMAIN, true for an answer with data or NODATA, and true for
// a name that owns a CNAME whatever its target. It asks for the name's NS
// records, which a top-level domain always has.
func (r *Resolver) LookupExists(ctx context.Context, name string) (bool, error) {
	a, err := r.lookup(ctx, name, dnsmessage.TypeNS)
	if err != nil {
		if domainauth.IsNotFound(err) {
			return false, nil // a name that cannot be a domain name
		}
		return false, err
	}
	return a.aliased || !a.nxdomain, nil
}

// fqdn adds the trailing dot *net.Resolver's answers carry; the root stays
// ".".
func fqdn(name string) string {
	if name == "." {
		return name
	}
	return name + "."
}
