package audit

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/spf"
)

// Prefetching. The checks of the other packages ask one question after the
// other: the spf linter walks the include tree term by term, the mx checker
// looks at one MX host after the other, the ses audit at one record after
// the other. On live DNS each question costs a round trip, so the audit
// asks, as soon as it can know them, the questions those checks will ask
// next, all at once, through the audit's memo; the checks then find the
// answers there (or wait for them). The prefetches mirror what the checks
// ask, so they cost no extra queries in the usual case, and each is bounded
// by the bound of the check it mirrors.

// Bounds of the prefetches, those of the checks they run ahead of (the
// defaults of spf.Linter and mx.Checker, which the audit uses).
const (
	prefetchSPFRecords = 100 // spf.Linter.MaxRecords
	prefetchSPFProbes  = 500 // spf.Linter.MaxProbes
	prefetchMXHosts    = 16  // mx.Checker.MaxHosts
	// maxParallel bounds the goroutines one audit runs side by side for
	// a list of like checks (DKIM selectors, MX host addresses).
	maxParallel = 16
)

// parallel calls f(i) for every i < n, at most maxParallel at once, and
// returns when all have returned.
func parallel(n int, f func(i int)) {
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// goPrefetch runs f beside the areas; the audit waits for it before it
// returns.
func (ru *run) goPrefetch(f func()) { ru.prefetches.Go(f) }

// spfWalk prefetches what spf.Linter asks for an SPF policy: the record at
// each distinct include and redirect target (its TXT character-strings when
// the resolver keeps them apart, its type SPF records when it has them),
// the addresses of a and exists targets and the MX of mx targets, each
// level of the tree as soon as the record above it arrives.
type spfWalk struct {
	ru *run

	mu      sync.Mutex
	seen    map[string]bool // fetched records and probes, lower case
	records int
	probes  int
}

// prefetchSPF starts the walk of domain's SPF policy; its first question
// is asked when it returns.
func (ru *run) prefetchSPF(ctx context.Context, domain string) {
	if ru.local {
		return
	}
	w := &spfWalk{ru: ru, seen: map[string]bool{}}
	w.fetch(ctx, domain)
}

// claim reports whether key is new and within limit, counting it.
func (w *spfWalk) claim(key string, n *int, limit int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[key] || *n >= limit {
		return false
	}
	w.seen[key] = true
	*n++
	return true
}

// fetch prefetches the record at name and, once it arrives, what its
// terms ask.
func (w *spfWalk) fetch(ctx context.Context, name string) {
	if !w.claim("TXT "+strings.ToLower(name), &w.records, prefetchSPFRecords) {
		return
	}
	// The first question is asked before fetch returns, so that the
	// areas started after prefetchSPF share it.
	m := w.ru.m
	if m.spfRR != nil {
		m.ask(memoKey{kind: lookupSPFRR, name: name})
	}
	if m.strs != nil {
		m.ask(memoKey{kind: lookupTXTStrings, name: name})
	} else {
		m.ask(memoKey{kind: lookupTXT, name: name})
	}
	w.ru.goPrefetch(func() {
		var txts []string
		if m.strs != nil {
			strs, err := m.LookupTXTStrings(ctx, name)
			if err != nil {
				return
			}
			for _, s := range strs {
				txts = append(txts, strings.Join(s, ""))
			}
		} else {
			var err error
			if txts, err = m.LookupTXT(ctx, name); err != nil {
				return
			}
		}
		// The linter walks a policy only when exactly one record is SPF
		// and it parses (RFC 7208 §4.5).
		var rec *spf.Record
		for _, t := range txts {
			if !spf.IsSPF(t) {
				continue
			}
			if rec != nil {
				return
			}
			var err error
			if rec, err = spf.ParseRecord(t); err != nil {
				return
			}
		}
		if rec != nil {
			w.terms(ctx, rec, name)
		}
	})
}

// terms prefetches what the DNS-querying terms of rec, the record of
// domain, ask, as the linter does: targets with macros cannot be known.
func (w *spfWalk) terms(ctx context.Context, rec *spf.Record, domain string) {
	m := w.ru.m
	for _, t := range rec.Terms {
		if !t.Kind.QueriesDNS() {
			continue
		}
		target := t.Domain
		if target == "" {
			target = domain
		}
		if strings.IndexByte(target, '%') >= 0 {
			continue
		}
		target = strings.TrimSuffix(target, ".")
		switch t.Kind {
		case spf.KindInclude, spf.KindRedirect:
			w.fetch(ctx, target)
		case spf.KindA, spf.KindExists:
			if w.claim("A "+strings.ToLower(target), &w.probes, prefetchSPFProbes) {
				m.ask(memoKey{kind: lookupNetIP, network: "ip", name: target})
			}
		case spf.KindMX:
			if w.claim("MX "+strings.ToLower(target), &w.probes, prefetchSPFProbes) {
				m.ask(memoKey{kind: lookupMX, name: target})
			}
		}
	}
}

// prefetchMXHosts asks for domain's MX records and, once they arrive, what
// mx.Checker asks of each host: whether it is an alias (with the CNAME
// capability) and its addresses, for all hosts at once rather than one
// after the other.
func (ru *run) prefetchMXHosts(ctx context.Context, domain string) {
	if ru.local {
		return
	}
	ru.goPrefetch(func() {
		m := ru.m
		mxs, err := m.LookupMX(ctx, domain)
		if err != nil {
			return
		}
		// The hosts in the order mx.Checker examines them.
		type host struct {
			pref uint16
			name string
		}
		var hosts []host
		for _, mx := range mxs {
			if mx != nil {
				hosts = append(hosts, host{mx.Pref, dnsname.Canonical(mx.Host)})
			}
		}
		slices.SortStableFunc(hosts, func(a, b host) int {
			return cmp.Or(cmp.Compare(a.pref, b.pref), strings.Compare(a.name, b.name))
		})
		seen := map[string]bool{}
		for _, h := range hosts {
			// mx.Checker skips the null MX's "." and address literals.
			lit := strings.TrimPrefix(strings.Trim(h.name, "[]"), "ipv6:")
			if _, err := netip.ParseAddr(lit); h.name == "" || err == nil || seen[h.name] {
				continue
			}
			if len(seen) == prefetchMXHosts {
				break
			}
			seen[h.name] = true
			if m.cname != nil {
				m.ask(memoKey{kind: lookupCNAME, name: h.name})
			}
			m.ask(memoKey{kind: lookupNetIP, network: "ip", name: h.name})
		}
	})
}

// prefetchExistence starts the existence check of checkExistence, which an
// audit makes when it finds no MX or no SPF record, so that its answer is
// there when the areas end.
func (ru *run) prefetchExistence() {
	if ru.local {
		return
	}
	m := ru.m
	if m.exists == nil || ru.a.TrustNotFound {
		return
	}
	name := ru.mustExist()
	m.ask(memoKey{kind: lookupExists, name: name})
}

// prefetchMailFrom starts, once the MAIL FROM domain mf is known, what the
// MAIL FROM and SES areas ask of it: its MX hosts, its TXT records (as
// character-strings when the resolver keeps them, which the SES area's SPF
// lint asks for), and, when the SES area will run, whether it is an alias.
func (ru *run) prefetchMailFrom(ctx context.Context, mf string) {
	if ru.local {
		return
	}
	if mf == "" {
		return
	}
	m := ru.m
	ru.prefetchMXHosts(ctx, mf)
	if m.strs != nil {
		m.ask(memoKey{kind: lookupTXTStrings, name: mf})
	} else {
		m.ask(memoKey{kind: lookupTXT, name: mf})
	}
	// A MAIL FROM domain found by its SES feedback MX makes the SES area
	// run; one that was given does so with a region.
	sesRuns := ru.a.MailFrom == "" || ru.a.Region != ""
	if m.cname != nil && sesRuns && dnsname.IsSubdomain(mf, ru.domain) && !dnsname.Equal(mf, ru.domain) {
		m.ask(memoKey{kind: lookupCNAME, name: mf})
	}
}
