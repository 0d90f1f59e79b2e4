package spf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/errs"
)

// Code is the result of an SPF evaluation (RFC 7208 §2.6).
type Code uint8

// The seven SPF results.
const (
	CodeNone Code = iota
	CodeNeutral
	CodePass
	CodeFail
	CodeSoftFail
	CodeTempError
	CodePermError
)

var codeNames = [...]string{"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"}

// String returns the result name as RFC 7208 §2.6 and the Received-SPF
// header spell it: "pass", "fail", "softfail", "neutral", "none",
// "temperror" or "permerror".
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("Code(%d)", uint8(c))
}

// Errors carried by Result.Err. A *CheckError wraps them with the domain
// and term concerned; match with errors.Is.
var (
	// ErrTooManyLookups: more DNS-querying terms than the limit (§4.6.4).
	ErrTooManyLookups = errors.New("spf: too many DNS-querying terms")
	// ErrTooManyVoidLookups: more void lookups than the limit (§4.6.4).
	ErrTooManyVoidLookups = errors.New("spf: too many void lookups")
	// ErrTooManyMXNames: an mx mechanism found more MX names than the limit (§4.6.4).
	ErrTooManyMXNames = errors.New("spf: too many MX names")
	// ErrMultipleRecords: a domain publishes more than one SPF record (§4.5).
	ErrMultipleRecords = errors.New("spf: more than one SPF record")
	// ErrNoRecord: an include or redirect target has no SPF record (§5.2,
	// §6.1). It matches domainauth.ErrNotFound too.
	ErrNoRecord = errs.New("spf: include or redirect target has no SPF record", domainauth.ErrNotFound)
	// ErrInvalidTarget: a domain-spec expanded to a name that is not a valid
	// domain name (§4.8).
	ErrInvalidTarget = errors.New("spf: target is not a valid domain name")
	// ErrDNS: a DNS lookup failed temporarily (§4.4, §5); the resolver's
	// error is wrapped too. It is spf's case of domainauth.ErrTemporary,
	// which errors.Is matches as well.
	ErrDNS = errs.New("spf: DNS lookup failed", domainauth.ErrTemporary)
	// ErrCanceled: the caller's context ended or the evaluation exceeded
	// Checker.Timeout.
	ErrCanceled = errors.New("spf: evaluation canceled or timed out")
	// ErrNoResolver: the Checker has no Resolver; the result is CodeTempError.
	ErrNoResolver = errors.New("spf: Checker has no Resolver")
	// ErrNoIP: Input.IP is not a valid address; the result is CodeNone.
	ErrNoIP = errors.New("spf: input has no valid client IP address")
	// ErrTooManyQueries: the evaluation needed more DNS queries than
	// Checker.MaxQueries; the result is CodePermError.
	ErrTooManyQueries = errors.New("spf: too many DNS queries")
	// ErrInvalidIDN: the checked domain (of MAIL FROM or HELO) has
	// non-ASCII characters that are not valid U-labels, so it has no
	// A-label form to query (RFC 8616 §4); the result is CodeNone (RFC
	// 7208 §4.3), with a *CheckError naming the domain.
	ErrInvalidIDN = errors.New("spf: not a valid internationalised domain name")
)

// errLocalPart marks a domain-spec that uses %{s} or %{l} while the
// sender's local part is not ASCII: RFC 8616 §4 says such a term matches
// nothing, so it is not expanded and no query is made.
var errLocalPart = errors.New("spf: %{s} or %{l} with a non-ASCII local part matches nothing (RFC 8616 §4)")

// CheckError is the detail of a temperror or permerror: what went wrong,
// while evaluating which domain's record and which term.
type CheckError struct {
	Domain string // the domain whose record was being evaluated
	Term   string // the term, "" for the record lookup itself
	Err    error  // ErrTooManyLookups, a *ParseError, ErrDNS joined with the resolver's error, ...
}

// Error returns "spf: domain: term \"t\": cause", the cause without its
// own "spf: " (a nested CheckError's included), so that the prefix appears
// once.
func (e *CheckError) Error() string {
	if e.Term == "" {
		return fmt.Sprintf("spf: %s: %s", e.Domain, errs.Detail("spf", e.Err))
	}
	return fmt.Sprintf("spf: %s: term %q: %s", e.Domain, e.Term, errs.Detail("spf", e.Err))
}

// Unwrap returns the cause.
func (e *CheckError) Unwrap() error { return e.Err }

// Input is what check_host() is asked about (RFC 7208 §4.1).
type Input struct {
	// IP is the SMTP client's address. An IPv4-mapped IPv6 address is
	// evaluated as the IPv4 address it carries (RFC 7208 §5.6 note).
	IP netip.Addr
	// MailFrom is the RFC 5321 MAIL FROM address without angle brackets;
	// empty for the null reverse-path, in which case postmaster@HELO is
	// checked (§2.4).
	MailFrom string
	// HELO is the HELO/EHLO argument (the %{h} macro, and the identity of
	// CheckHELO).
	HELO string
}

// Result is the outcome of an evaluation.
type Result struct {
	Code Code
	// Identity is IdentityMailFrom or IdentityHELO: which check gave it.
	Identity string
	// Checked is the identity as the caller gave it: for Check the MAIL
	// FROM address (postmaster@ and the HELO name for the null
	// reverse-path, RFC 7208 §2.4), for CheckHELO the HELO name. AuthResult
	// writes it as smtp.mailfrom or smtp.helo. Unlike Domain it is never
	// the target of an include or redirect.
	Checked string
	// Matched is the directive that decided, nil for the default result,
	// none, and most errors. It points into a shared, cached record: do
	// not modify it.
	Matched *Term
	// Domain is the domain whose record gave the result (the target of a
	// redirect, for example); "" when no record was evaluated.
	Domain string
	// Explanation is the expanded exp= text (RFC 7208 §6.2), or the
	// Checker's DefaultExplanation, for CodeFail only. Bytes outside
	// printable US-ASCII (from sender-supplied macro values) are
	// replaced with '?'.
	Explanation string
	// Lookups and VoidLookups are the DNS-querying terms and void lookups
	// spent (§4.6.4), including one that went over a limit.
	Lookups, VoidLookups int
	// Trace lists the steps of the evaluation when Checker.Trace is set.
	Trace []Step
	// Err says why, for CodeTempError and CodePermError (a *CheckError); it is
	// also set, to ErrNoIP, for a CodeNone caused by an invalid Input.IP, and
	// to a *CheckError wrapping ErrInvalidIDN for a CodeNone caused by a
	// domain whose U-labels do not convert to A-labels.
	Err error
}

// Step is one entry of an evaluation trace: a record lookup or one term.
type Step struct {
	Depth  int    // 0 for the checked domain, one more per include or redirect
	Domain string // the domain whose record is evaluated
	Term   *Term  // the term, nil for the record lookup
	QType  string // the type of the DNS query it made ("TXT", "A", ...); "" if none
	QName  string // the name queried
	Match  bool   // the mechanism matched
	Void   bool   // the query was a void lookup
	Code   Code   // the include/redirect result, or the record's when Result is set
	Result bool   // a record step giving the record's result (Term is nil)
	Err    error  // a failure at this step
}

// String renders the step on one line for people.
func (s Step) String() string {
	var b strings.Builder
	b.WriteString(strings.Repeat("  ", s.Depth))
	b.WriteString(s.Domain)
	if s.Term == nil {
		b.WriteString(": record")
	} else {
		b.WriteString(": ")
		b.WriteString(s.Term.String())
	}
	if s.QType != "" {
		b.WriteString(" [" + s.QType + " " + s.QName + "]")
	}
	switch {
	case s.Err != nil:
		b.WriteString(" error: " + s.Err.Error())
	case s.Term == nil && !s.Result:
	case s.Term == nil || s.Term.Kind == KindInclude || s.Term.Kind == KindRedirect:
		b.WriteString(" -> " + s.Code.String())
	case s.Match:
		b.WriteString(" match")
	case s.Void:
		b.WriteString(" void")
	default:
		b.WriteString(" no match")
	}
	return b.String()
}

// Checker evaluates SPF policies (RFC 7208 check_host()). A Checker with a
// Resolver is ready to use; it is safe for concurrent use and must not be
// copied after first use.
type Checker struct {
	// Resolver answers DNS queries. Required.
	Resolver domainauth.Resolver

	// Clock supplies the time for the %{t} macro. If nil, the system clock.
	Clock domainauth.Clock

	// Receiver is the receiving host's domain name for the %{r} macro.
	// If empty, "unknown" (RFC 7208 §7.3).
	Receiver string

	// MaxLookups bounds the DNS-querying terms of one evaluation.
	// If zero, 10 (RFC 7208 §4.6.4).
	MaxLookups int
	// MaxVoidLookups bounds the void lookups of one evaluation. If zero, 2
	// (§4.6.4); negative means no limit.
	MaxVoidLookups int
	// MaxMXNames bounds the MX names an mx mechanism may look up; more is
	// a permerror. If zero, 10 (§4.6.4).
	MaxMXNames int
	// MaxPTRNames bounds the PTR names the ptr mechanism and %{p} look at;
	// the rest are ignored. If zero, 10 (§4.6.4).
	MaxPTRNames int
	// MaxQueries bounds the DNS queries of one evaluation, of every kind:
	// record, term, MX host, PTR, forward-confirmation and exp= lookups,
	// and the queries Prefetch starts. The evaluation's own need for one
	// more is a permerror wrapping ErrTooManyQueries: like the limits of
	// RFC 7208 §4.6.4 it is a property of the published policy, which a
	// retry (temperror) would meet again. If zero, 200; negative means no
	// limit. With the other limits at their defaults an evaluation needs at
	// most 123 queries (10 mx terms of 11 queries each, the checked
	// domain's record, the PTR query and 10 confirmations, the exp= text),
	// so the default is never reached and leaves the rest to Prefetch.
	MaxQueries int
	// Timeout bounds the wall time of one evaluation (RFC 7208 §4.6.4):
	// once it has passed, no further query is made and the result is
	// temperror. It is measured from the third query and checked before
	// each query, so one slow query can overrun it; give ctx a deadline
	// for a hard bound. If zero, 20 seconds; negative means ctx only.
	Timeout time.Duration

	// DefaultExplanation is a macro-string (explain-string syntax) expanded
	// for a CodeFail whose record has no usable exp=. If empty, none.
	DefaultExplanation string

	// Trace makes Result.Trace list every step. Off, an evaluation
	// allocates no trace.
	Trace bool

	// Prefetch issues, while a record is evaluated, the DNS queries its
	// later include, redirect, a, mx and exists terms will need,
	// concurrently, and does the same for each included record (and each
	// MX target's hosts) as soon as it arrives, so a tree costs about one
	// round trip per level. Results are still used in RFC order and only
	// evaluated terms count against the limits, so every result equals
	// the sequential one; only the wall time changes.
	//
	// Prefetching spends a budget of MaxLookups term queries per
	// evaluation, only on terms whose position in evaluation order can be
	// within MaxLookups (positions past an include whose record is not
	// yet known are counted as if it held no terms, a lower bound): a
	// record with 50 includes gets at most 10 of them prefetched. Every
	// prefetched query also counts against MaxQueries: one starts only if
	// the queries made so far, those prefetched and not yet used, and the
	// most the rest of the evaluation can still need under the other
	// limits all fit, so the whole check stays within MaxQueries and
	// prefetching stops early rather than change a result. Once the result
	// is known the remaining prefetch queries are canceled through their
	// context and Check waits for them, so no goroutine outlives it; a
	// Resolver that ignores its context delays Check by its slowest answer.
	Prefetch bool

	// CacheSize bounds the cache of parsed records, keyed by record text.
	// If zero, 512 records; negative disables the cache. The cache is
	// created when the Checker starts its second evaluation, so a Checker
	// used once allocates none.
	CacheSize int

	cacheState atomic.Uint32 // cacheUnused, ...; see useCache
	cachePtr   *recordCache  // set once cacheState is cacheReady
}

// Check evaluates the MAIL FROM identity (RFC 7208 §2.4): check_host() with
// the domain of in.MailFrom, or of postmaster@in.HELO when MailFrom is empty.
func (c *Checker) Check(ctx context.Context, in Input) Result {
	local, domain := "postmaster", in.HELO
	if in.MailFrom != "" {
		if at := strings.LastIndexByte(in.MailFrom, '@'); at >= 0 {
			domain = in.MailFrom[at+1:]
			if at > 0 {
				local = in.MailFrom[:at]
			}
		} else {
			domain = in.MailFrom
		}
	}
	r := c.run(ctx, in, local, domain)
	r.Identity = IdentityMailFrom
	r.Checked = envelopeFrom(in)
	return r
}

// CheckHELO evaluates the HELO identity (RFC 7208 §2.3): check_host() with
// the domain in.HELO and the sender postmaster@HELO. An address literal or a
// name that is not a fully qualified domain gives CodeNone.
func (c *Checker) CheckHELO(ctx context.Context, in Input) Result {
	r := c.run(ctx, in, "postmaster", in.HELO)
	r.Identity = IdentityHELO
	r.Checked = in.HELO
	return r
}

func (c *Checker) run(ctx context.Context, in Input, local, domain string) Result {
	// RFC 7208 §4.3: a malformed or single-label domain gives none.
	d, ok := initialDomain(domain)
	if !ok {
		if !dnsname.IsASCII(domain) {
			// RFC 8616 §4: U-labels are converted to A-labels; say why
			// when that is what failed.
			if _, err := dnsname.Normalize(domain); err != nil {
				return Result{Code: CodeNone, Err: &CheckError{Domain: domain, Err: fmt.Errorf("%w: %w", ErrInvalidIDN, err)}}
			}
		}
		return Result{Code: CodeNone}
	}
	if !in.IP.IsValid() {
		return Result{Code: CodeNone, Err: ErrNoIP}
	}
	if c.Resolver == nil {
		return Result{Code: CodeTempError, Err: ErrNoResolver}
	}
	rc := c.loadCache() // inlined: the common case of useCache
	if rc == nil {
		rc = c.useCache()
	}
	if c.Prefetch {
		// Prefetch goroutines keep the state, so it lives on the heap.
		e := &eval{cache: rc}
		e.start(ctx, c, in, local, d)
		e.pf = newPrefetcher(ctx, e)
		defer e.pf.stop()
		return e.result(d)
	}
	// Sequential evaluation keeps its state on the stack: nothing retains
	// it. The state copies c's settings instead of pointing to c, so that
	// c does not escape either (a Checker made per check stays on the
	// caller's stack).
	var e eval
	e.cache = rc
	e.start(ctx, c, in, local, d)
	return e.result(d)
}

// result runs check_host() on the checked domain d and fills in a Result.
func (e *eval) result(d string) Result {
	code, matched, dom, err := e.checkHost(d, 0, false)
	r := Result{Code: code, Matched: matched, Domain: dom, Lookups: e.lookups, VoidLookups: e.voids, Err: err}
	if code == CodeFail {
		r.Explanation = e.explanation
		if !e.haveExp && e.defaultExp != "" {
			if _, msg := scanMacroString(e.defaultExp, true); msg == "" {
				var b [256]byte
				r.Explanation = string(printableASCII(e.expand(b[:0], e.defaultExp, dom, true)))
			}
		}
	}
	if e.tracing {
		r.Trace = e.trace
	}
	return r
}

// initialDomain applies RFC 7208 §4.3 to the checked domain: it returns
// the name normalised, or false for a malformed or single-label name.
func initialDomain(s string) (string, bool) {
	s = strings.TrimSuffix(s, ".")
	// One trailing dot is the root; a second is an empty label.
	if s == "" || s[0] == '[' || s[len(s)-1] == '.' || strings.IndexByte(s, '.') < 0 {
		return "", false
	}
	if plainDomain(s) {
		return s, true
	}
	d, err := dnsname.Normalize(s)
	if err != nil {
		return "", false
	}
	return d, true
}

// plainDomain reports whether s is already normalised: lower-case ASCII,
// non-empty labels of at most 63 octets, at most 253 in all.
func plainDomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case c >= 0x80 || 'A' <= c && c <= 'Z':
			return false
		}
		if label++; label > 63 {
			return false
		}
	}
	return label > 0
}

// eval is the state of one check_host() evaluation.
type eval struct {
	// Copies of the Checker's settings (see Checker.run).
	resolver   domainauth.Resolver
	clock      domainauth.Clock
	receiver   string
	defaultExp string
	tracing    bool
	cacheSize  int
	cache      *recordCache // nil: parse every record

	ctx context.Context
	ip  netip.Addr

	local, senderDomain, helo string
	localUTF8                 bool // local has non-ASCII characters (RFC 8616 §4)

	lookups, voids                      int
	maxLookups, maxVoids, maxMX, maxPTR int
	maxQueries                          int

	explanation string
	haveExp     bool

	timeout  time.Duration
	queries  int
	deadline time.Time

	nowSet bool
	nowT   time.Time

	ptrDone  bool
	ptrNames []string // distinct names, at most maxPTR
	ptrOK    []int8   // per name: 0 not yet confirmed, 1 confirmed, -1 not
	ptrErr   error    // the evaluation ran out of time or was canceled during the PTR query
	pDomain  string   // the <domain> of the last %{p} value computed
	pValue   string   // that value

	trace []Step
	pf    *prefetcher
}

func (e *eval) start(ctx context.Context, c *Checker, in Input, local, domain string) {
	e.resolver, e.clock, e.receiver = c.Resolver, c.Clock, c.Receiver
	e.defaultExp, e.tracing, e.cacheSize = c.DefaultExplanation, c.Trace, c.CacheSize
	e.ctx = ctx
	e.ip = in.IP.Unmap()
	e.local, e.senderDomain, e.helo = local, domain, in.HELO
	e.localUTF8 = !dnsname.IsASCII(local)
	if !dnsname.IsASCII(e.helo) {
		// RFC 8616 §4: an EHLO name is A-labels; if a U-label one comes
		// anyway, %{h} expands to its A-label form.
		if h, err := dnsname.Normalize(e.helo); err == nil {
			e.helo = h
		}
	}
	e.maxLookups = orDefault(c.MaxLookups, 10)
	e.maxVoids = orDefault(c.MaxVoidLookups, 2)
	e.maxMX = orDefault(c.MaxMXNames, 10)
	e.maxPTR = orDefault(c.MaxPTRNames, 10)
	e.maxQueries = orDefault(c.MaxQueries, 200)
	e.timeout = orDefault64(c.Timeout, 20*time.Second)
	e.lookups, e.voids, e.queries = 0, 0, 0
	e.haveExp, e.nowSet, e.ptrDone, e.ptrErr = false, false, false, nil
	e.ptrNames, e.ptrOK, e.pDomain, e.pValue = nil, nil, "", ""
	e.deadline = time.Time{}
}

func orDefault64(v, d time.Duration) time.Duration {
	if v == 0 {
		return d
	}
	return v
}

// expired reports whether the evaluation ran out of time or its context
// ended, or has spent MaxQueries; it is called before each query and counts
// it. The clock is read only from the third query on: most evaluations
// make one or two queries, and on an in-memory resolver reading the clock
// would cost as much as they do.
func (e *eval) expired() error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	e.queries++
	if e.pf != nil {
		e.pf.need.Store(int64(e.queries))
	}
	if e.maxQueries >= 0 && e.queries > e.maxQueries {
		return fmt.Errorf("%w: more than %d", ErrTooManyQueries, e.maxQueries)
	}
	if e.timeout <= 0 || e.queries < 3 {
		return nil
	}
	now := time.Now()
	if e.queries == 3 {
		e.deadline = now.Add(e.timeout)
		return nil
	}
	if now.After(e.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func (e *eval) now() time.Time {
	if !e.nowSet {
		e.nowT, e.nowSet = domainauth.Now(e.clock), true
	}
	return e.nowT
}

func (e *eval) step(s Step) {
	if e.tracing {
		e.trace = append(e.trace, s)
	}
}

// dnsErr turns a failed lookup into the evaluation's error and code.
func (e *eval) dnsErr(err error) (Code, error) {
	if errors.Is(err, ErrTooManyQueries) {
		return CodePermError, err
	}
	if domainauth.Classify(e.ctx, err) == domainauth.ErrorKindCanceled {
		return CodeTempError, fmt.Errorf("%w: %w", ErrCanceled, err)
	}
	return CodeTempError, fmt.Errorf("%w: %w", ErrDNS, err)
}

// lightRecord is a record evaluated without keeping its parsed terms, for
// an evaluation where no cache would keep parsed records and nothing (a
// trace, the prefetcher) needs terms to outlive their turn: a Checker made
// for a single check then allocates at most one Term per record.
//
// scanRecord parses the record once, as ParseRecord does (a syntax error
// anywhere is a permerror before any term is evaluated, RFC 7208 §4.6),
// and meanwhile evaluates the leading ip4, ip6 and all mechanisms, which
// need no DNS and have no side effects, until one matches or a mechanism
// that queries DNS comes. checkHost parses the terms from there again, one
// at a time, as it reaches them.
type lightRecord struct {
	txt           string
	matched       *Term  // a leading mechanism that matched
	first         *Term  // the first mechanism not evaluated, nil if none
	rest          int    // offset of the term after first; len(txt) if none
	redirect, exp [2]int // start and end offsets of the modifier; end 0 when absent
}

// scanRecord checks txt, an SPF record (IsSPF), as ParseRecord does, giving the
// same *ParseError, and returns it as a lightRecord.
func (e *eval) scanRecord(txt string) (lightRecord, error) {
	lr := lightRecord{txt: txt, rest: len(txt)}
	it := termIter{txt: txt, i: 6}
	var t Term
	evaluating := true
	for it.more() {
		if err := it.next(&t); err != nil {
			return lightRecord{}, err
		}
		switch t.Kind {
		case KindRedirect:
			lr.redirect = [2]int{it.start, it.i}
		case KindExp:
			lr.exp = [2]int{it.start, it.i}
		case KindAll, KindIP4, KindIP6:
			if evaluating {
				if localMatch(&t, e.ip) {
					lr.matched = new(Term)
					*lr.matched = t
					evaluating = false
				}
			}
		default:
			if evaluating {
				lr.first = new(Term)
				*lr.first = t
				lr.rest = it.i
				evaluating = false
			}
		}
	}
	return lr, nil
}

// modifier returns the redirect or exp modifier (k) of rec, or of lr when
// rec is nil, or nil.
func modifier(rec *Record, lr *lightRecord, k Kind) *Term {
	if rec != nil {
		return rec.modifier(k)
	}
	span := lr.redirect
	if k == KindExp {
		span = lr.exp
	}
	if span[1] == 0 {
		return nil
	}
	it := termIter{txt: lr.txt, i: span[0]}
	t := new(Term)
	if it.next(t) != nil {
		return nil // cannot happen: scanRecord parsed it
	}
	return t
}

// record fetches and selects the SPF record of domain (RFC 7208 §4.4, §4.5)
// and parses it (or, in an evaluation that keeps no parsed records,
// validates it into a lightRecord). No record and a nil error means none.
func (e *eval) record(domain string, lr *lightRecord) (*Record, Code, error) {
	txts, err := e.lookupTXT(domain)
	if err != nil {
		if domainauth.Classify(e.ctx, err) == domainauth.ErrorKindNotFound {
			return nil, CodeNone, nil
		}
		code, err := e.dnsErr(err)
		return nil, code, err
	}
	found := -1
	for i, t := range txts {
		if IsSPF(t) {
			if found >= 0 {
				return nil, CodePermError, ErrMultipleRecords
			}
			found = i
		}
	}
	if found < 0 {
		return nil, CodeNone, nil
	}
	if e.cache == nil && !e.tracing && e.pf == nil {
		var err error
		if *lr, err = e.scanRecord(txts[found]); err != nil {
			return nil, CodePermError, err
		}
		return nil, 0, nil
	}
	r, err := parseCached(e.cache, e.cacheSize, txts[found])
	if err != nil {
		return nil, CodePermError, err
	}
	return r, 0, nil
}

// checkHost is check_host() (RFC 7208 §4). inInclude is set below an
// include, where exp= is not used (§6.2).
func (e *eval) checkHost(domain string, depth int, inInclude bool) (Code, *Term, string, error) {
	var lr lightRecord // when rec is nil
	rec, code, err := e.record(domain, &lr)
	if rec == nil && lr.txt == "" {
		if err != nil {
			err = &CheckError{Domain: domain, Err: err}
		}
		e.step(Step{Depth: depth, Domain: domain, QType: "TXT", QName: domain, Code: code, Result: true, Err: err})
		return code, nil, domain, err
	}
	e.step(Step{Depth: depth, Domain: domain, QType: "TXT", QName: domain})
	if e.pf != nil {
		e.pf.record(rec, domain, e.lookups)
	}
	if rec == nil && lr.matched != nil {
		return e.matched(lr.matched, nil, &lr, domain, depth, inInclude)
	}
	var it termIter // over lr's terms after lr.first
	cur := lr.first // the term evaluated now
	if rec == nil {
		it = termIter{txt: lr.txt, i: lr.rest}
	}
	for i := 0; ; i++ {
		var t *Term
		if rec != nil {
			if i == len(rec.Terms) {
				break
			}
			t = &rec.Terms[i]
		} else if i == 0 && cur != nil {
			t = cur // lr.first
		} else {
			if !it.more() {
				break
			}
			if cur == nil {
				cur = new(Term)
			}
			if err := it.next(cur); err != nil {
				// Cannot happen: scanRecord parsed the same text.
				return CodePermError, nil, domain, &CheckError{Domain: domain, Err: err}
			}
			t = cur
		}
		if t.Kind.IsModifier() {
			continue
		}
		match, code, err := e.mechanism(t, domain, depth)
		if err != nil {
			e.step(Step{Depth: depth, Domain: domain, Code: code, Result: true, Err: err})
			return code, nil, domain, &CheckError{Domain: domain, Term: t.String(), Err: err}
		}
		if match {
			return e.matched(t, rec, &lr, domain, depth, inInclude)
		}
	}
	// RFC 7208 §6.1: redirect applies only when no mechanism matched.
	if t := modifier(rec, &lr, KindRedirect); t != nil {
		target, err := e.target(t.Domain, domain)
		if err == errLocalPart {
			// RFC 8616 §4: the term matches nothing, so the record has
			// no match: neutral (RFC 7208 §4.7). It is still a term that
			// counts (§4.6.4).
			if err := e.count(); err != nil {
				e.step(Step{Depth: depth, Domain: domain, Term: t, Code: CodePermError, Err: err})
				return CodePermError, nil, domain, &CheckError{Domain: domain, Term: t.String(), Err: err}
			}
			e.step(Step{Depth: depth, Domain: domain, Term: t, Code: CodeNeutral})
			e.step(Step{Depth: depth, Domain: domain, Code: CodeNeutral, Result: true})
			return CodeNeutral, nil, domain, nil
		}
		if err == nil {
			err = e.count()
		}
		if err != nil {
			e.step(Step{Depth: depth, Domain: domain, Term: t, Code: CodePermError, Err: err})
			return CodePermError, nil, domain, &CheckError{Domain: domain, Term: t.String(), Err: err}
		}
		code, m, d, err := e.checkHost(target, depth+1, inInclude)
		e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "TXT", QName: target, Code: code})
		if code == CodeNone {
			err := &CheckError{Domain: domain, Term: t.String(), Err: ErrNoRecord}
			e.step(Step{Depth: depth, Domain: domain, Code: CodePermError, Result: true, Err: err})
			return CodePermError, nil, domain, err
		}
		e.step(Step{Depth: depth, Domain: domain, Code: code, Result: true})
		return code, m, d, err
	}
	e.step(Step{Depth: depth, Domain: domain, Code: CodeNeutral, Result: true})
	return CodeNeutral, nil, domain, nil
}

// localMatch evaluates an all, ip4 or ip6 mechanism, which need no DNS.
func localMatch(t *Term, ip netip.Addr) bool {
	if t.Kind == KindAll {
		return true
	}
	return t.Net.Contains(ip) // Contains ignores host bits and other families
}

// matched gives the result of matching directive t of the record (rec or
// lr) of domain (RFC 7208 §4.6.2), with its explanation (§6.2).
func (e *eval) matched(t *Term, rec *Record, lr *lightRecord, domain string, depth int, inInclude bool) (Code, *Term, string, error) {
	code := t.qualifier().Code()
	if code == CodeFail && !inInclude {
		e.explain(modifier(rec, lr, KindExp), domain)
	}
	e.step(Step{Depth: depth, Domain: domain, Code: code, Result: true})
	return code, t, domain, nil
}

// count charges one DNS-querying term (RFC 7208 §4.6.4).
func (e *eval) count() error {
	e.lookups++
	if e.pf != nil {
		e.pf.lookups.Store(int64(e.lookups))
	}
	if e.lookups > e.maxLookups {
		return ErrTooManyLookups
	}
	return nil
}

// void charges one void lookup (RFC 7208 §4.6.4).
func (e *eval) void() error {
	e.voids++
	if e.maxVoids >= 0 && e.voids > e.maxVoids {
		return ErrTooManyVoidLookups
	}
	return nil
}

// target expands a domain-spec into the name to query (§4.8, §7.3). It
// returns errLocalPart, and no name, for a spec that uses the sender's
// non-ASCII local part (RFC 8616 §4).
func (e *eval) target(spec, domain string) (string, error) {
	if spec == "" {
		return domain, nil
	}
	if !hasMacro(spec) {
		// ParseRecord has checked a literal domain-spec's labels and length.
		return strings.TrimSuffix(spec, "."), nil
	}
	if e.localUTF8 && usesLocalPart(spec) {
		return "", errLocalPart
	}
	var b [256]byte
	s := truncateDomain(string(e.expand(b[:0], spec, domain, false)))
	if !dnsname.IsASCII(s) {
		// RFC 8616 §4: U-labels in a macro expansion (from a PTR name,
		// or a HELO name that did not convert) become A-labels.
		a, err := dnsname.Normalize(s)
		if err != nil {
			return s, fmt.Errorf("%w: %w", ErrInvalidTarget, err)
		}
		s = a
	}
	if err := dnsname.Check(s); err != nil {
		return s, fmt.Errorf("%w: %w", ErrInvalidTarget, err)
	}
	return s, nil
}

// mechanism evaluates one mechanism (RFC 7208 §5). A non-nil error comes
// with CodeTempError or CodePermError.
func (e *eval) mechanism(t *Term, domain string, depth int) (bool, Code, error) {
	switch t.Kind {
	case KindAll, KindIP4, KindIP6:
		m := localMatch(t, e.ip)
		e.step(Step{Depth: depth, Domain: domain, Term: t, Match: m})
		return m, 0, nil
	}
	if err := e.count(); err != nil {
		return false, CodePermError, err
	}
	target, err := e.target(t.Domain, domain)
	if err == errLocalPart {
		// RFC 8616 §4: no match, and no query (so no void lookup).
		e.step(Step{Depth: depth, Domain: domain, Term: t})
		return false, 0, nil
	}
	if err != nil {
		return false, CodePermError, err
	}
	switch t.Kind {
	case KindInclude:
		code, _, _, err := e.checkHost(target, depth+1, true)
		e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "TXT", QName: target, Match: code == CodePass, Code: code})
		// RFC 7208 §5.2: the include result table.
		switch code {
		case CodePass:
			return true, 0, nil
		case CodeFail, CodeSoftFail, CodeNeutral:
			return false, 0, nil
		case CodeTempError:
			return false, CodeTempError, err
		case CodeNone:
			return false, CodePermError, ErrNoRecord
		}
		return false, CodePermError, err
	case KindA:
		return e.matchHost(target, t, domain, depth)
	case KindMX:
		return e.matchMX(target, t, domain, depth)
	case KindPTR:
		m, err := e.matchPTR(target)
		if err != nil {
			code, err := e.dnsErr(err)
			e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "PTR", QName: e.ip.String(), Err: err})
			return false, code, err
		}
		if e.tracing {
			e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "PTR", QName: e.ip.String(), Match: m})
		}
		return m, 0, nil
	case KindExists:
		// RFC 7208 §5.7: always an A query, whatever the client's family.
		addrs, err := e.lookupIP("ip4", target)
		void := false
		if err != nil {
			if domainauth.Classify(e.ctx, err) != domainauth.ErrorKindNotFound {
				code, err := e.dnsErr(err)
				return false, code, err
			}
			void = true
		}
		m := len(addrs) > 0
		if !m {
			void = true
		}
		e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "A", QName: target, Match: m, Void: void})
		if void {
			if err := e.void(); err != nil {
				return false, CodePermError, err
			}
		}
		return m, 0, nil
	}
	return false, CodePermError, fmt.Errorf("spf: unexpected term kind %v", t.Kind)
}

func (e *eval) network() string {
	if e.ip.Is4() {
		return "ip4"
	}
	return "ip6"
}

func (e *eval) addrType() string {
	if e.ip.Is4() {
		return "A"
	}
	return "AAAA"
}

// matchHost implements the a mechanism (§5.3): it looks up target's
// addresses of the client's family and compares them, counting a void
// lookup when there are none.
func (e *eval) matchHost(host string, t *Term, domain string, depth int) (bool, Code, error) {
	addrs, err := e.lookupIP(e.network(), host)
	if err != nil && domainauth.Classify(e.ctx, err) != domainauth.ErrorKindNotFound {
		code, err := e.dnsErr(err)
		e.step(Step{Depth: depth, Domain: domain, Term: t, QType: e.addrType(), QName: host, Err: err})
		return false, code, err
	}
	if len(addrs) == 0 {
		e.step(Step{Depth: depth, Domain: domain, Term: t, QType: e.addrType(), QName: host, Void: true})
		if err := e.void(); err != nil {
			return false, CodePermError, err
		}
		return false, 0, nil
	}
	m := e.anyMatch(addrs, t)
	e.step(Step{Depth: depth, Domain: domain, Term: t, QType: e.addrType(), QName: host, Match: m})
	return m, 0, nil
}

func (e *eval) anyMatch(addrs []netip.Addr, t *Term) bool {
	bits := e.ip.BitLen()
	if e.ip.Is4() {
		if t.HasV4Len {
			bits = int(t.V4Len)
		}
	} else if t.HasV6Len {
		bits = int(t.V6Len)
	}
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() != e.ip.Is4() {
			continue
		}
		if p, err := a.Prefix(bits); err == nil && p.Contains(e.ip) {
			return true
		}
	}
	return false
}

// matchMX implements the mx mechanism (§5.4).
func (e *eval) matchMX(target string, t *Term, domain string, depth int) (bool, Code, error) {
	mxs, err := e.lookupMX(target)
	if err != nil {
		if domainauth.Classify(e.ctx, err) != domainauth.ErrorKindNotFound {
			code, err := e.dnsErr(err)
			e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "MX", QName: target, Err: err})
			return false, code, err
		}
	}
	if len(mxs) == 0 {
		e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "MX", QName: target, Void: true})
		if err := e.void(); err != nil {
			return false, CodePermError, err
		}
		return false, 0, nil
	}
	if len(mxs) > e.maxMX {
		err := fmt.Errorf("%w: %d MX names, at most %d", ErrTooManyMXNames, len(mxs), e.maxMX)
		e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "MX", QName: target, Err: err})
		return false, CodePermError, err
	}
	for _, mx := range mxs {
		host := strings.TrimSuffix(mx.Host, ".")
		if host == "" {
			continue // null MX (RFC 7505): no host to match
		}
		addrs, err := e.lookupIP(e.network(), host)
		if err != nil {
			if domainauth.Classify(e.ctx, err) != domainauth.ErrorKindNotFound {
				code, err := e.dnsErr(err)
				e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "MX", QName: target, Err: err})
				return false, code, err
			}
			continue
		}
		if e.anyMatch(addrs, t) {
			e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "MX", QName: target, Match: true})
			return true, 0, nil
		}
	}
	e.step(Step{Depth: depth, Domain: domain, Term: t, QType: "MX", QName: target})
	return false, 0, nil
}

// names returns the client's PTR names, at most MaxPTRNames, trailing
// dots removed, each name once (compared without regard to case); DNS
// errors give none (§5.5). The PTR query is made once per evaluation. The
// error is set only when the evaluation ran out of time or its context
// ended (§4.6.4), or spent MaxQueries: that is not a DNS error.
func (e *eval) names() ([]string, error) {
	if e.ptrDone {
		return e.ptrNames, e.ptrErr
	}
	e.ptrDone = true
	if err := e.expired(); err != nil {
		e.ptrErr = err
		return nil, err
	}
	names, err := e.resolver.LookupAddr(e.ctx, e.ip.String())
	if err != nil {
		if domainauth.Classify(e.ctx, err) == domainauth.ErrorKindCanceled {
			e.ptrErr = err
			return nil, err
		}
		return nil, nil
	}
	if len(names) > max(e.maxPTR, 0) {
		names = names[:max(e.maxPTR, 0)]
	}
	// RFC 7208 §4.6.4 allows at most 10 address lookups per PTR
	// evaluation: a name listed twice is confirmed once.
	var seen map[string]bool // for long lists; short ones compare pairwise
	if len(names) > 16 {
		seen = make(map[string]bool, len(names))
	}
	// A new slice: the resolver's may be shared (a caching resolver).
	distinct := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		if seen != nil {
			k := strings.ToLower(n)
			if seen[k] {
				continue
			}
			seen[k] = true
		} else if slices.ContainsFunc(distinct, func(d string) bool { return strings.EqualFold(d, n) }) {
			continue
		}
		distinct = append(distinct, n)
	}
	e.ptrNames = distinct
	e.ptrOK = make([]int8, len(distinct))
	return distinct, nil
}

// confirmed reports whether the i-th PTR name has an address equal to the
// client's, querying it the first time only. A DNS error means no (§5.5:
// the name is skipped) and is remembered as such; the error is set only
// when the evaluation ran out of time, its context ended or it spent
// MaxQueries, and is not remembered.
func (e *eval) confirmed(i int) (bool, error) {
	if e.ptrOK[i] != 0 {
		return e.ptrOK[i] > 0, nil
	}
	addrs, err := e.lookupIP(e.network(), e.ptrNames[i])
	if err != nil {
		if errors.Is(err, ErrTooManyQueries) || domainauth.Classify(e.ctx, err) == domainauth.ErrorKindCanceled {
			return false, err
		}
		e.ptrOK[i] = -1
		return false, nil
	}
	e.ptrOK[i] = -1
	for _, a := range addrs {
		if a.Unmap() == e.ip {
			e.ptrOK[i] = 1
			break
		}
	}
	return e.ptrOK[i] > 0, nil
}

// matchPTR implements the ptr mechanism (§5.5): some validated name of the
// client equals target or lies below it. DNS errors mean no match; running
// out of time or queries, or a canceled context, is an error (temperror,
// §4.6.4; permerror for MaxQueries).
func (e *eval) matchPTR(target string) (bool, error) {
	names, err := e.names()
	if err != nil {
		return false, err
	}
	for i, n := range names {
		if !dnsname.IsSubdomain(n, target) {
			continue
		}
		if ok, err := e.confirmed(i); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// validatedName is the %{p} value (§7.3): a validated name of the client,
// preferring domain itself, then a subdomain of it; "unknown" if none.
// Each name is confirmed at most once per evaluation and the value of the
// last domain is kept, so a record that repeats %{p} costs no more
// queries than one that uses it once. Errors just mean no: a canceled,
// timed-out or over-budget evaluation fails at its next query instead.
func (e *eval) validatedName(domain string) string {
	if e.pDomain != "" && e.pDomain == domain {
		return e.pValue
	}
	v := "unknown"
	names, _ := e.names()
search:
	for pass := range 3 {
		for i, n := range names {
			if pass == 0 && !dnsname.Equal(n, domain) || pass == 1 && !dnsname.IsSubdomain(n, domain) {
				continue
			}
			ok, err := e.confirmed(i)
			if ok {
				v = n
			}
			if ok || err != nil {
				break search
			}
		}
	}
	e.pDomain, e.pValue = domain, v
	return v
}

// explain computes the explanation of exp= modifier t, if any (RFC 7208 §6.2). Every
// failure along the way just leaves no explanation.
func (e *eval) explain(t *Term, domain string) {
	if t == nil {
		return
	}
	target, err := e.target(t.Domain, domain)
	if err != nil {
		return
	}
	if e.expired() != nil {
		return
	}
	txts, err := e.resolver.LookupTXT(e.ctx, target)
	e.step(Step{Domain: domain, Term: t, QType: "TXT", QName: target, Err: err})
	if err != nil || len(txts) != 1 {
		return
	}
	text := txts[0]
	if _, msg := scanMacroString(text, true); msg != "" {
		return
	}
	var b [256]byte
	e.explanation = string(printableASCII(e.expand(b[:0], text, domain, true)))
	e.haveExp = true
}

// printableASCII replaces, in place, every byte of an expanded explanation
// outside printable US-ASCII with '?'. RFC 7208 §6.2: the explanation MUST
// be US-ASCII; the exp= text is checked at parse time, but macros such as
// %{l}, %{s} and %{h} copy sender-supplied bytes into it unescaped.
func printableASCII(b []byte) []byte {
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return b
}

// Lookups go through the prefetcher when there is one.

func (e *eval) lookupTXT(name string) ([]string, error) {
	if err := e.expired(); err != nil {
		return nil, err
	}
	if e.pf != nil {
		if p := e.pf.get(qTXT, name); p != nil {
			return p.txt, p.err
		}
		txt, err := e.resolver.LookupTXT(e.ctx, name)
		e.pf.noteLocal(qTXT, name, &pending{txt: txt, err: err})
		return txt, err
	}
	return e.resolver.LookupTXT(e.ctx, name)
}

func (e *eval) lookupIP(network, name string) ([]netip.Addr, error) {
	if dnsname.IsAddr(name) {
		// An MX or PTR target written as an address ("192.0.2.1."): a
		// resolver would hand the literal back, but as a DNS name it has no
		// address records (RFC 7208 §5.4, RFC 7505 §3: MX targets are names).
		// No query is made.
		return nil, domainauth.NotFoundError(name)
	}
	if err := e.expired(); err != nil {
		return nil, err
	}
	if e.pf != nil {
		typ := qA
		if network == "ip6" {
			typ = qAAAA
		}
		if p := e.pf.get(typ, name); p != nil {
			return p.addrs, p.err
		}
		addrs, err := e.resolver.LookupNetIP(e.ctx, network, name)
		e.pf.noteLocal(typ, name, &pending{addrs: addrs, err: err})
		return addrs, err
	}
	return e.resolver.LookupNetIP(e.ctx, network, name)
}

func (e *eval) lookupMX(name string) ([]*net.MX, error) {
	if err := e.expired(); err != nil {
		return nil, err
	}
	if e.pf != nil {
		if p := e.pf.get(qMX, name); p != nil {
			return p.mx, p.err
		}
		mx, err := e.resolver.LookupMX(e.ctx, name)
		e.pf.noteLocal(qMX, name, &pending{mx: mx, err: err})
		return mx, err
	}
	return e.resolver.LookupMX(e.ctx, name)
}
