package audit

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/bimi"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/mtasts"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/ses"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/tlsrpt"
	"github.com/domainauth/domainauth/zone"
)

// ErrDNSUnusable reports that the resolver answers "no such name" for a name
// that must exist (by default the audited domain's top-level domain), so its
// not-found answers cannot be trusted: some networks answer NXDOMAIN for
// every name. An audit that meets it returns it (wrapped) instead of claiming
// that the domain has no MX or no SPF record.
var ErrDNSUnusable = errors.New("audit: DNS is unusable")

// DefaultConcurrency is the number of domains AuditAll audits at once when
// Auditor.Concurrency is zero.
const DefaultConcurrency = 8

// Auditor audits domains' mail authentication set-up. A zero Auditor with a
// Resolver is ready to use; it is safe for concurrent use.
type Auditor struct {
	// Resolver answers DNS queries. Required. With domainauth.CNAMEResolver
	// the DKIM and SES areas see CNAMEs; with domainauth.TXTStringsResolver
	// the SPF lint checks string lengths; with domainauth.ExistenceResolver
	// the audit refuses a resolver that denies every name (ErrDNSUnusable).
	Resolver domainauth.Resolver
	// Clock stamps Report.Time. If nil, the system clock.
	Clock domainauth.Clock
	// Zone, when set, holds the records the resolver answers from and lets
	// the audit enumerate names DNS cannot list: every SELECTOR._domainkey
	// name under the domain is a DKIM selector to check, and every MX owner
	// below the domain a MAIL FROM candidate. When nil (live DNS), common
	// selector names are tried when Selectors is empty, and a few common
	// MAIL FROM names.
	Zone *zone.Zone
	// ZoneApexes are the names Zone is authoritative for, such as each
	// master file's origin; the owners of Zone's SOA records and the
	// audited domain count too. When the Resolver is Zone itself, a name
	// Zone holds no record at and that is not at or below one of them is
	// outside the zone: when a key record or SPF include target the audit
	// needs is there, the audit says it could not check it
	// (FindingNotInZone) rather than that it is missing.
	ZoneApexes []string
	// Selectors are DKIM selectors to check, besides those found in Zone.
	Selectors []string
	// MailFrom is the envelope-sender (MAIL FROM) domain to check. If "",
	// the first name below the domain whose MX is an SES feedback endpoint.
	MailFrom string
	// Region is the Amazon SES region the domain sends from; it makes the
	// SES area run even when DNS shows no SES set-up. If "", the region is
	// inferred from the MAIL FROM MX or the Easy DKIM zone.
	Region string
	// MustExist is a name that must exist, checked (when the Resolver is a
	// domainauth.ExistenceResolver) before the audit concludes that a
	// domain has no MX or no SPF record. If "", the domain's top-level
	// domain.
	MustExist string
	// TrustNotFound skips the existence check of MustExist: the resolver's
	// not-found answers are taken at their word. For resolvers that cannot
	// be unusable, such as a zone read from files, where a missing
	// top-level domain only means that the files do not cover the domain.
	TrustNotFound bool
	// MaxFCrDNSAddrs bounds the MX host addresses whose reverse DNS is
	// checked (two or more queries each). If zero, DefaultMaxFCrDNSAddrs.
	MaxFCrDNSAddrs int
	// MaxPTRNames bounds the PTR names of one address that are resolved to
	// confirm it (one query each). If zero, DefaultMaxPTRNames.
	MaxPTRNames int
	// MaxDestinations bounds the rua and ruf destination domains of the
	// DMARC record checked for an MX (two queries each), and separately
	// the rua domains of the TLSRPT record. If zero,
	// DefaultMaxDestinations.
	MaxDestinations int
	// Concurrency bounds how many domains AuditAll audits at once. If
	// zero, DefaultConcurrency.
	Concurrency int
	// Timeout bounds one Audit; when it runs out the audit ends with
	// context.DeadlineExceeded. If zero, only ctx bounds it.
	Timeout time.Duration

	// Fetcher gets over HTTPS the documents the MTA-STS and BIMI areas
	// check: the MTA-STS policy (mtasts.FetchPolicy enforces RFC 8461
	// §3.3 on it: no redirect, text/plain, a certificate valid for
	// mta-sts.DOMAIN, 64 KiB), the BIMI logo and mark certificate (32 and
	// 64 KiB). Usually domainauth.HTTPFetcher around a client with
	// timeouts. If nil, nothing is fetched: a policy, logo or
	// certificate that was neither fetched nor given below is reported
	// as not checked, and its area is "unknown" rather than "ok" unless
	// something else is wrong.
	Fetcher domainauth.Fetcher
	// MTASTSPolicy, for offline checks, is the text of the domain's
	// MTA-STS policy (read from a file): it is checked in place of the
	// one at https://mta-sts.DOMAIN/.well-known/mta-sts.txt, which is not
	// fetched, against the domain's MX hosts. Its certificate cannot be
	// known and is reported so (mtasts.FindingCertificateUnknown, Info).
	// It applies to every domain audited, so give it for one domain.
	MTASTSPolicy []byte
	// BIMILogo, for offline checks, is the BIMI logo (SVG or SVGZ, read
	// from a file), checked in place of the one at the record's l=; and
	// BIMICertificate the PEM mark certificate chain, checked in place of
	// the one at a= (see bimi.Checker's Logo and Evidence). Like
	// MTASTSPolicy, they apply to every domain audited.
	BIMILogo, BIMICertificate []byte
}

// Status sums up an area.
type Status string

// Area statuses.
const (
	StatusOK      Status = "ok"
	StatusWarning Status = "warning"
	StatusError   Status = "error"
	StatusUnknown Status = "unknown" // the area could not be checked
)

// Area names, in report order.
const (
	AreaMX       = "mx"
	AreaSPF      = "spf"
	AreaDMARC    = "dmarc"
	AreaDKIM     = "dkim"
	AreaMailFrom = "mail-from"
	AreaSES      = "ses"
	AreaMTASTS   = "mta-sts"
	AreaTLSRPT   = "tls-rpt"
	AreaBIMI     = "bimi"
)

// Record is one DNS record an area read.
type Record struct {
	Name  string `json:"name"`
	Type  string `json:"type"` // "MX", "TXT", "CNAME"
	Value string `json:"value"`
}

// Area is one part of the audit: what was found and what is wrong.
type Area struct {
	Name   string `json:"area"`  // one of the Area constants
	Title  string `json:"title"` // heading for people
	Status Status `json:"status"`
	// Facts say what was found, one line each, for people.
	Facts []string `json:"facts,omitempty"`
	// Records are the records the area read.
	Records []Record `json:"records,omitempty"`
	// Findings are sorted errors first, then warnings, then infos.
	Findings []domainauth.Finding `json:"findings"`
}

// Report is the audit of one domain. Besides the areas, it keeps each
// area's structured result.
type Report struct {
	Domain   string    `json:"domain"`
	Time     time.Time `json:"time"`
	Areas    []Area    `json:"areas"`
	Errors   int       `json:"errors"`   // error findings in all areas
	Warnings int       `json:"warnings"` // warning findings in all areas

	// MX is the MX check of the domain; nil if it could not run.
	MX *mx.Result `json:"-"`
	// SPF is the SPF lint of the domain.
	SPF *spf.Report `json:"-"`
	// SPFTree is SPF.Terms as a tree in pre-order: each include or
	// redirect followed by the terms of the record it names, one level
	// deeper (see Tree).
	SPFTree []spf.TermCost `json:"spf_tree,omitempty"`
	// DMARC is the DMARC policy discovery for the domain.
	DMARC *dmarc.Discovery `json:"-"`
	// DKIM has one entry per selector checked.
	DKIM []*dkim.SelectorCheck `json:"dkim,omitempty"`
	// MailFrom is the check of the MAIL FROM domain; nil when there is none.
	MailFrom *mx.MailFromResult `json:"-"`
	// SES is the SES audit; nil when the domain shows no SES set-up and no
	// region was given.
	SES *SES `json:"ses,omitempty"`
	// MTASTS is the MTA-STS check: the record, the policy and its MX
	// matching. Its Policy is nil when there is none or it was not
	// checked.
	MTASTS *mtasts.Report `json:"-"`
	// TLSRPT is the TLS reporting record; nil when there is none usable.
	TLSRPT *tlsrpt.Record `json:"-"`
	// BIMI is the BIMI check: discovery, the DMARC preconditions, the
	// logo and the mark certificate.
	BIMI *bimi.Result `json:"-"`
}

// SES is what the SES area found.
type SES struct {
	Region string `json:"region"` // "" when it could not be told
	// RegionFrom says where Region came from: "given", "mail-from-mx" or
	// "dkim-zone".
	RegionFrom string         `json:"region_from,omitempty"`
	Signals    *SESSignals    `json:"signals"` // what DNS shows of the set-up
	Plan       *ses.Plan      `json:"-"`
	Audit      *ses.Audit     `json:"-"`
	Alignment  *ses.Alignment `json:"alignment,omitempty"` // the DMARC alignment prediction for SES mail
}

// Area returns the area with the given name, or nil.
func (r *Report) Area(name string) *Area {
	for i := range r.Areas {
		if r.Areas[i].Name == name {
			return &r.Areas[i]
		}
	}
	return nil
}

// Findings returns every finding of every area, in report order.
func (r *Report) Findings() []domainauth.Finding {
	var out []domainauth.Finding
	for _, ar := range r.Areas {
		out = append(out, ar.Findings...)
	}
	return out
}

// DNSFailures counts the findings that say a lookup failed temporarily: the
// report is incomplete, which is DNS trouble, not a verdict on the domain.
func (r *Report) DNSFailures() int {
	n := 0
	for _, f := range r.Findings() {
		// bimi's codes for a failed lookup end in "-temperror".
		if strings.HasSuffix(f.Code, "lookup-failed") || strings.HasSuffix(f.Code, ".dns-error") || strings.HasSuffix(f.Code, "-temperror") {
			n++
		}
	}
	return n
}

// run is one audit of one domain.
type run struct {
	a      *Auditor
	m      *memo               // the audit's lookups, each asked once; nil when local
	r      domainauth.Resolver // m, with the capabilities of a.Resolver (a.Resolver when local)
	domain string

	prefetches sync.WaitGroup // see goPrefetch
	// local is set when the Resolver is a zone held in memory: its answers
	// cost no round trip, so asking ahead would only add work.
	local bool

	selOnce sync.Once
	sels    []string // see selectors
	probed  bool     // sels came from trying common names

	rrOnce sync.Once
	rrs    []zone.RR // see records

	coverOnce sync.Once
	cover     *Coverage // see outside
}

// newRun starts the audit of domain; close ends it.
func (a *Auditor) newRun(ctx context.Context, domain string) *run {
	if _, local := a.Resolver.(*zone.Zone); local {
		// A zone in memory answers at once: sharing its answers and asking
		// ahead would cost more than asking again.
		return &run{a: a, r: a.Resolver, domain: domain, local: true}
	}
	m := newMemo(ctx, a.Resolver)
	return &run{a: a, m: m, r: m.resolver(), domain: domain}
}

// close ends the audit's prefetches and lookups: once the report is made,
// what is still running (a prefetch past where a check stopped) is not
// needed.
func (ru *run) close() {
	if ru.m == nil {
		return
	}
	ru.m.cancel()
	ru.prefetches.Wait()
	ru.m.close()
}

// Audit audits domain: MX, SPF, DMARC, DKIM, the MAIL FROM domain, when
// DNS shows an SES set-up or a Region is given SES, and MTA-STS, TLS-RPT
// and BIMI. Problems of the domain
// are findings; the error is only for what stops the audit: an invalid
// domain name, ErrDNSUnusable, or ctx ending. The report is never nil and
// holds what was found before the audit stopped.
func (a *Auditor) Audit(ctx context.Context, domain string) (*Report, error) {
	rep := &Report{Domain: domain, Time: domainauth.Now(a.Clock)}
	name, err := dnsname.Normalize(domain)
	if err != nil {
		return rep, fmt.Errorf("audit: %q is not a domain name: %w", domain, err)
	}
	if a.Resolver == nil {
		return rep, errors.New("audit: the Auditor has no Resolver")
	}
	rep.Domain = name
	if a.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.Timeout)
		defer cancel()
	}
	ru := a.newRun(ctx, name)
	defer ru.close()
	ru.areas(ctx, rep)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if err := ru.checkExistence(ctx, rep); err != nil {
		return rep, err
	}
	ru.crossChecks(ctx, rep)
	finish(rep)
	return rep, ctx.Err()
}

// areas runs every area. They are independent, so they run concurrently,
// and share their lookups through the audit's memo: on live DNS the audit
// takes as long as the slowest area, not the sum. The MAIL FROM and SES
// areas start as soon as the MAIL FROM domain is known.
func (ru *run) areas(ctx context.Context, rep *Report) {
	ru.prefetchSPF(ctx, ru.domain)
	fixed := make([]Area, 4)
	var sts, tls, logo Area
	var mailFrom, sesArea Area
	var mf string
	var sesFound bool
	var wg sync.WaitGroup
	wg.Go(func() { fixed[0] = ru.checkMX(ctx, rep) })
	wg.Go(func() { fixed[1] = ru.checkSPF(ctx, rep) })
	wg.Go(func() {
		fixed[2] = ru.checkDMARC(ctx, rep)
		ru.prefetchDestinations(ctx, rep, ru.destinations)
	})
	wg.Go(func() { fixed[3] = ru.checkDKIM(ctx, rep) })
	wg.Go(func() { sts = ru.checkMTASTS(ctx, rep) })
	wg.Go(func() {
		tls = ru.checkTLSRPT(ctx, rep)
		ru.prefetchDestinations(ctx, rep, ru.tlsDestinations)
	})
	wg.Go(func() { logo = ru.checkBIMI(ctx, rep) })
	wg.Go(func() {
		mf = ru.mailFromDomain(ctx)
		ru.prefetchMailFrom(ctx, mf)
		var inner sync.WaitGroup
		if mf != "" {
			inner.Go(func() { mailFrom = ru.checkMailFrom(ctx, rep, mf) })
		}
		inner.Go(func() { sesArea, sesFound = ru.checkSES(ctx, rep, mf) })
		inner.Wait()
	})
	wg.Wait()
	rep.Areas = fixed
	if mf != "" {
		rep.Areas = append(rep.Areas, mailFrom)
	}
	if sesFound {
		rep.Areas = append(rep.Areas, sesArea)
	}
	crossTLSRPT(rep, &tls)
	crossMTASTSSuggest(rep, &sts, ru.a.Clock)
	crossNullMX(rep, &sts, &tls)
	rep.Areas = append(rep.Areas, sts, tls, logo)
}

// checkExistence refuses a resolver that denies a name that must exist,
// before the report says that the domain has no MX or no SPF record.
func (ru *run) checkExistence(ctx context.Context, rep *Report) error {
	er, ok := ru.r.(domainauth.ExistenceResolver)
	if !ok || ru.a.TrustNotFound {
		return nil
	}
	noMX := rep.MX != nil && (rep.MX.State == mx.StateNone || rep.MX.State == mx.StateImplicit)
	noSPF := rep.SPF != nil && rep.SPF.Record == "" && hasCode(rep.SPF.Findings, spf.FindingNoRecord)
	if !noMX && !noSPF {
		return nil
	}
	name := ru.mustExist()
	exists, err := er.LookupExists(ctx, name)
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return fmt.Errorf("%w: the lookup of %s, which must exist, failed: %v", ErrDNSUnusable, name, err)
	case !exists:
		return fmt.Errorf("%w: it says %s does not exist, so its answer that %s has no records cannot be trusted", ErrDNSUnusable, name, ru.domain)
	}
	return nil
}

// mustExist is the name checkExistence asks about: Auditor.MustExist, or
// the domain's top-level domain.
func (ru *run) mustExist() string {
	if ru.a.MustExist != "" {
		return ru.a.MustExist
	}
	return ru.domain[strings.LastIndexByte(ru.domain, '.')+1:]
}

func hasCode(fs []domainauth.Finding, code string) bool {
	return slices.ContainsFunc(fs, func(f domainauth.Finding) bool { return f.Code == code })
}

// finish drops duplicate findings, sorts each area's findings by severity,
// and sets the statuses and totals.
func finish(rep *Report) {
	dedupe(rep.Areas)
	for i := range rep.Areas {
		ar := &rep.Areas[i]
		if ar.Findings == nil {
			ar.Findings = []domainauth.Finding{}
		}
		slices.SortStableFunc(ar.Findings, func(x, y domainauth.Finding) int { return int(y.Severity) - int(x.Severity) })
		e, w := 0, 0
		for _, f := range ar.Findings {
			switch f.Severity {
			case domainauth.SeverityError:
				e++
			case domainauth.SeverityWarning:
				w++
			}
		}
		rep.Errors += e
		rep.Warnings += w
		if ar.Status == "" {
			switch {
			case e > 0:
				ar.Status = StatusError
			case w > 0:
				ar.Status = StatusWarning
			default:
				ar.Status = StatusOK
			}
		}
	}
}

// AuditAll audits each domain of domains, at most Concurrency at a time,
// and yields each report with its error as soon as it is finished, so not
// in input order. Memory stays flat in the number of domains: domains is
// read as workers become free and nothing is kept once yielded. Stopping
// the loop early cancels the audits still running and returns at once; the
// goroutine reading domains ends when domains next yields or ends.
func (a *Auditor) AuditAll(ctx context.Context, domains iter.Seq[string]) iter.Seq2[*Report, error] {
	return func(yield func(*Report, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		n := a.Concurrency
		if n <= 0 {
			n = DefaultConcurrency
		}
		type result struct {
			rep *Report
			err error
		}
		jobs := make(chan string)
		results := make(chan result)
		var wg sync.WaitGroup
		worker := func(d string) {
			for ok := true; ok; d, ok = <-jobs {
				rep, err := a.Audit(ctx, d)
				select {
				case results <- result{rep, err}:
				case <-ctx.Done():
				}
			}
		}
		go func() {
			// Workers start as domains come, up to n: one domain costs
			// one goroutine, not n.
			started := 0
			for d := range domains {
				select {
				case jobs <- d:
					continue
				default:
				}
				if started < n {
					started++
					wg.Go(func() { worker(d) })
					continue
				}
				select {
				case jobs <- d:
				case <-ctx.Done():
				}
				if ctx.Err() != nil {
					break
				}
			}
			close(jobs)
			wg.Wait()
			close(results)
		}()
		for res := range results {
			if !yield(res.rep, res.err) {
				return // the deferred cancel ends the audits still running
			}
		}
	}
}
