package spf

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"

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
// Budget: a term is prefetched only if its position in evaluation order,
// as far as it is known (the terms before it in its record plus the
// position of the include that leads there), is within MaxLookups, and no
// more than MaxLookups terms are prefetched per evaluation. ptr terms and
// domain-specs using %{p} are never prefetched.
//
// Window: at most prefetchWindow term queries run ahead of evaluation
// unconsumed; further candidates wait, lowest position first, and start as
// evaluation consumes answers. This keeps a record with many includes from
// spending the budget on siblings evaluation will not reach when an early
// include turns out to hold many terms itself, while a tree a few
// includes wide still resolves one level per round trip.

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

	term     bool // spends the budget and a window slot
	consumed bool // evaluation has used it (guarded by prefetcher.mu)
}

// candidate is a term query waiting for a window slot.
type candidate struct {
	pos  int
	k    qkey
	then func(*pending)
}

// prefetchWindow bounds the term queries running ahead of evaluation.
const prefetchWindow = 5

type prefetcher struct {
	e      *eval
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu          sync.Mutex
	m           map[qkey]*pending
	scheduled   map[string]bool // domains whose record's terms were scheduled
	issued      int             // term queries started
	outstanding int             // term queries started and not yet consumed
	waiting     []candidate     // sorted by pos
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
	if p != nil && p.term && !p.consumed {
		p.consumed = true
		pf.outstanding--
		pf.refillLocked()
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
					if h := strings.TrimSuffix(mx.Host, "."); h != "" {
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

// target expands a domain-spec without touching the evaluation's buffers.
func (pf *prefetcher) target(spec, domain string) (string, bool) {
	if spec == "" {
		return domain, true
	}
	if !hasMacro(spec) {
		// Parse has checked a literal domain-spec's labels and length.
		return strings.TrimSuffix(spec, "."), true
	}
	var b [256]byte
	s := truncateDomain(string(pf.e.expand(b[:0], spec, domain, false)))
	// Evaluation queries no invalid name (ErrInvalidTarget); nor does
	// prefetching.
	return s, dnsname.Check(s) == nil
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

// schedule starts the query of a term at position pos, or queues it for a
// window slot. It reports false when the query is known already or the
// budget is spent.
func (pf *prefetcher) schedule(pos int, t qtype, name string, then func(*pending)) bool {
	k := qkey{t, name}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if pf.m[k] != nil || pf.issued >= pf.e.maxLookups || pf.ctx.Err() != nil {
		return false
	}
	for _, c := range pf.waiting {
		if c.k == k {
			return false
		}
	}
	if pf.outstanding >= prefetchWindow {
		i := len(pf.waiting)
		for i > 0 && pf.waiting[i-1].pos > pos {
			i--
		}
		pf.waiting = append(pf.waiting, candidate{})
		copy(pf.waiting[i+1:], pf.waiting[i:])
		pf.waiting[i] = candidate{pos, k, then}
		return true
	}
	pf.startLocked(k, true, then)
	return true
}

// refillLocked starts waiting candidates while there are window slots and
// budget. Caller holds mu.
func (pf *prefetcher) refillLocked() {
	for len(pf.waiting) > 0 && pf.outstanding < prefetchWindow && pf.issued < pf.e.maxLookups && pf.ctx.Err() == nil {
		c := pf.waiting[0]
		pf.waiting = pf.waiting[1:]
		if pf.m[c.k] == nil {
			pf.startLocked(c.k, true, c.then)
		}
	}
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

// startLocked starts a query unless it is known already; term says whether
// it spends the budget and a window slot; then runs after the answer
// arrives. Caller holds mu.
func (pf *prefetcher) startLocked(k qkey, term bool, then func(*pending)) {
	if pf.m[k] != nil || pf.ctx.Err() != nil {
		return
	}
	p := &pending{done: make(chan struct{}), term: term}
	if term {
		pf.issued++
		pf.outstanding++
	}
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
}
