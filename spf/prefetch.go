package spf

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// Prefetching (Checker.Prefetch). Sequential evaluation spends one round trip
// per lookup. The prefetcher starts, as soon as a record is known, the
// queries its DNS-querying terms will need, and does the same for each
// include or redirect target's record as soon as it arrives, so a tree of
// includes costs about one round trip per level instead of one per record.
//
// It only warms a per-evaluation table of answers: evaluation still runs
// term by term in RFC order, counts only the terms it evaluates, and waits
// for an answer it needs. Hence results equal sequential evaluation.
//
// Budgets. A term is prefetched only if its position in evaluation order,
// as far as it is known (the terms before it in its record plus the
// position of the include that leads there: a lower bound, since the
// records of includes not yet known may hold more), is within MaxLookups,
// and no more than MaxLookups terms are prefetched per evaluation. ptr
// terms and domain-specs using %{p} are never prefetched.
//
// Every prefetched query, a term's or an MX host's, also counts against
// Checker.MaxQueries. The evaluation itself stops at MaxQueries queries
// (its own and the prefetched ones it uses), exactly as it does without
// prefetching; so that prefetched queries it never uses cannot take the
// check past MaxQueries, one starts only if
//
//	need + unused + 1 + rest <= MaxQueries
//
// where need is the queries evaluation has asked for, unused the
// prefetched queries it has not (yet) used, and rest the most it can
// still ask for under the other limits (see remainingLocked). Then at
// every moment, and so at the end, the queries issued (need + unused) stay
// within MaxQueries.
//
// There is no window: every term within the budgets starts as soon as its
// record is known, so a tree resolves one level per round trip. Within
// the budgets the only cost of a query evaluation does not reach is the
// query itself.

type qtype uint8

const (
	qTXT qtype = iota
	qA
	qAAAA
	qMX
)

type qkey struct {
	t    qtype
	name string
}

type pending struct {
	done  chan struct{}
	txt   []string
	addrs []netip.Addr
	mx    []*net.MX
	err   error

	prefetched bool // started by the prefetcher, not by evaluation
	consumed   bool // evaluation has used it (guarded by prefetcher.mu)
}

type prefetcher struct {
	e      *eval
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// Evaluation's counts, stored by the evaluating goroutine (eval.expired
	// and eval.count) and read under mu.
	need, lookups atomic.Int64

	mu        sync.Mutex
	m         map[qkey]*pending
	scheduled map[string]bool // domains whose record's terms were scheduled
	issued    int             // term queries started
	unused    int             // queries prefetched and not yet used by evaluation
}

func newPrefetcher(ctx context.Context, e *eval) *prefetcher {
	pf := &prefetcher{e: e, m: make(map[qkey]*pending), scheduled: make(map[string]bool)}
	pf.ctx, pf.cancel = context.WithCancel(ctx)
	return pf
}

// stop cancels outstanding queries and waits for their goroutines, so none
// outlives the evaluation.
func (pf *prefetcher) stop() {
	pf.cancel()
	pf.wg.Wait()
}

// get returns the prefetched answer for a query, waiting for it, or nil
// when the query was not prefetched.
func (pf *prefetcher) get(t qtype, name string) *pending {
	pf.mu.Lock()
	p := pf.m[qkey{t, name}]
	if p != nil && p.prefetched && !p.consumed {
		p.consumed = true
		pf.unused--
	}
	pf.mu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p.done:
		return p
	case <-pf.e.ctx.Done():
		return &pending{err: pf.e.ctx.Err()}
	}
}

// record schedules the queries of rec's DNS-querying terms; base is the
// number of terms evaluation will have spent before rec's first term.
func (pf *prefetcher) record(rec *Record, domain string, base int) {
	e := pf.e
	pf.mu.Lock()
	if pf.scheduled[domain] {
		pf.mu.Unlock()
		return
	}
	pf.scheduled[domain] = true
	pf.mu.Unlock()
	k := 0
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if !t.Kind.QueriesDNS() {
			continue
		}
		k++
		pos := base + k
		if pos > e.maxLookups {
			return
		}
		if t.Kind == KindPTR || strings.Contains(t.Domain, "%{p") || strings.Contains(t.Domain, "%{P") {
			continue
		}
		target, ok := pf.target(t.Domain, domain)
		if !ok {
			continue
		}
		var started bool
		switch t.Kind {
		case KindInclude, KindRedirect:
			started = pf.schedule(pos, qTXT, target, func(p *pending) {
				if p.err != nil {
					return
				}
				if child := pf.selectRecord(p.txt); child != nil {
					pf.record(child, target, pos)
				}
			})
		case KindA:
			started = pf.schedule(pos, pf.addrType(), target, nil)
		case KindExists:
			started = pf.schedule(pos, qA, target, nil)
		case KindMX:
			started = pf.schedule(pos, qMX, target, func(p *pending) {
				if p.err != nil || len(p.mx) > e.maxMX {
					return
				}
				for _, mx := range p.mx {
					// Evaluation queries no address literal (eval.lookupIP).
					if h := strings.TrimSuffix(mx.Host, "."); h != "" && !dnsname.IsAddr(h) {
						pf.mu.Lock()
						pf.startLocked(qkey{pf.addrType(), h}, false, nil)
						pf.mu.Unlock()
					}
				}
			})
		}
		if !started {
			pf.mu.Lock()
			full := pf.issued >= e.maxLookups
			pf.mu.Unlock()
			if full {
				return
			}
		}
	}
}

func (pf *prefetcher) addrType() qtype {
	if pf.e.ip.Is4() {
		return qA
	}
	return qAAAA
}

// target expands a domain-spec as evaluation does (eval.target, which
// touches no evaluation state for the specs prefetched: those without
// %{p}). Evaluation queries no invalid name (ErrInvalidTarget) and none
// for a term that matches nothing (RFC 8616 §4); nor does prefetching.
func (pf *prefetcher) target(spec, domain string) (string, bool) {
	s, err := pf.e.target(spec, domain)
	return s, err == nil
}

func (pf *prefetcher) selectRecord(txts []string) *Record {
	var found string
	n := 0
	for _, t := range txts {
		if IsSPF(t) {
			found = t
			n++
		}
	}
	if n != 1 {
		return nil
	}
	rec, err := parseCached(pf.e.cache, pf.e.cacheSize, found)
	if err != nil {
		return nil
	}
	return rec
}

// schedule starts the query of a term at position pos. It reports false
// when the query is known already or a budget is spent.
func (pf *prefetcher) schedule(pos int, t qtype, name string, then func(*pending)) bool {
	k := qkey{t, name}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if pf.m[k] != nil || pf.issued >= pf.e.maxLookups {
		return false
	}
	return pf.startLocked(k, true, then)
}

// remainingLocked is the most queries evaluation can still ask for under
// the limits other than MaxQueries, given the terms it has counted: each
// term still allowed makes at most 1 + MaxMXNames (an mx term: its MX
// query and one address query per name), and so may the term in progress;
// the PTR query and one confirmation per PTR name (ptr and %{p}, made
// once per evaluation); the exp= text. The checked domain's record was
// fetched before the prefetcher started.
func (pf *prefetcher) remainingLocked() int64 {
	e := pf.e
	// Each factor capped at 2^30, so that huge limits cannot overflow.
	const huge = 1 << 30
	perTerm := 1 + min(int64(max(e.maxMX, 0)), huge)
	terms := min(max(int64(e.maxLookups)-pf.lookups.Load(), 0), huge) + 1
	return terms*perTerm + 1 + min(int64(max(e.maxPTR, 0)), huge) + 1
}

// noteLocal records an answer evaluation fetched itself, so that no
// prefetch repeats the query.
func (pf *prefetcher) noteLocal(t qtype, name string, p *pending) {
	k := qkey{t, name}
	p.done = make(chan struct{})
	close(p.done)
	pf.mu.Lock()
	if pf.m[k] == nil {
		pf.m[k] = p
	}
	pf.mu.Unlock()
}

// startLocked starts a query unless it is known already or it would not
// fit MaxQueries (see the package comment above); term says whether it
// spends the term budget; then runs after the answer arrives. It reports
// whether the query started. Caller holds mu.
func (pf *prefetcher) startLocked(k qkey, term bool, then func(*pending)) bool {
	if pf.m[k] != nil || pf.ctx.Err() != nil {
		return false
	}
	if mq := int64(pf.e.maxQueries); mq >= 0 && pf.need.Load()+int64(pf.unused)+1+pf.remainingLocked() > mq {
		return false
	}
	p := &pending{done: make(chan struct{}), prefetched: true}
	if term {
		pf.issued++
	}
	pf.unused++
	pf.m[k] = p
	pf.wg.Add(1)
	go func() {
		defer pf.wg.Done()
		r := pf.e.resolver
		switch k.t {
		case qTXT:
			p.txt, p.err = r.LookupTXT(pf.ctx, k.name)
		case qA:
			p.addrs, p.err = r.LookupNetIP(pf.ctx, "ip4", k.name)
		case qAAAA:
			p.addrs, p.err = r.LookupNetIP(pf.ctx, "ip6", k.name)
		case qMX:
			p.mx, p.err = r.LookupMX(pf.ctx, k.name)
		}
		close(p.done)
		if then != nil {
			then(p)
		}
	}()
	return true
}
