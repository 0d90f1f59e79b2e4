package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// contentSecurityPolicy allows nothing but the dashboard's own stylesheet
// and icon: no script at all (the pages work without JavaScript), no
// inline style, no framing, forms only to itself.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// handler serves the dashboard.
type handler struct {
	cfg   Config
	store Store
	gate  *gate
	pages map[string]*template.Template
	mux   *http.ServeMux
	cache overviewCache
	// loopback: the server listens on a loopback address, so requests
	// must name a loopback host (see loopbackHost).
	loopback bool
}

// NewHandler returns the dashboard's handler for cfg, without listening:
// for tests and for embedding in another server. It does not check the
// listen address (Listen does).
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, &ConfigError{"store", "no store", nil}
	}
	h := &handler{cfg: cfg, store: cfg.Store, gate: newGate(cfg.Token, cfg.secure(), cfg.maxSessions()), mux: http.NewServeMux(),
		loopback: IsLoopback(cfg.listen())}
	var err error
	if h.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	m := h.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(http.FileServerFS(static))))
	m.HandleFunc("GET /healthz", h.health)
	m.HandleFunc("GET /login", h.loginForm)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.logout)
	m.HandleFunc("GET /{$}", h.overview)
	m.HandleFunc("GET /source/{ip}", h.source)
	m.HandleFunc("GET /report/{id}", h.report)
	m.HandleFunc("GET /api/overview", h.apiOverview)
	m.HandleFunc("GET /api/report/{id}", h.apiReport)
	m.HandleFunc("GET /api/report/{id}/{table}", h.apiReportTable)
	m.HandleFunc("GET /api/{table}", h.apiTable)
	m.HandleFunc("GET /tls", h.tls)
	m.HandleFunc("GET /failures", h.failures)
	m.HandleFunc("GET /failure/{id}", h.failure)
	m.HandleFunc("GET /api/tls/{table}", h.apiTLSTable)
	for _, p := range []string{"GET /api/failures", "GET /api/failures.json", "GET /api/failures.csv"} {
		m.HandleFunc(p, h.apiFailures)
	}
	m.HandleFunc("GET /api/failure/{id}", h.apiFailure)
	m.HandleFunc("GET /api/failure/{id}/{table}", h.apiFailureTable)
	return h, nil
}

// ServeHTTP sets the security headers, refuses credentials in the URL,
// enforces the token and bounds the request's time.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if h.cfg.secure() {
		hd.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if h.loopback && !loopbackHost(r.Host) {
		// DNS rebinding: a web page whose name an attacker pointed at
		// 127.0.0.1 would otherwise read the dashboard from the
		// victim's browser as its own origin.
		http.Error(w, "this dashboard answers only to localhost and loopback addresses", http.StatusMisdirectedRequest)
		return
	}
	if tokenInURL(r.URL) {
		http.Error(w, "credentials are never accepted in a URL: send the token in an Authorization: Bearer header or log in at /login", http.StatusBadRequest)
		return
	}
	path := r.URL.Path
	static := strings.HasPrefix(path, "/static/")
	// "/static/" alone names no asset: it is not public.
	public := path == "/healthz" || path == "/login" || static && path != "/static/"
	// The token is checked once a request (a Bearer check takes from the
	// guessing bound); render reads the answer from the context.
	authed := !static && h.gate.allowed(r)
	if !public && !authed {
		if strings.HasPrefix(path, "/api/") || r.Method != http.MethodGet {
			hd.Set("WWW-Authenticate", `Bearer realm="domainauth"`)
			http.Error(w, "an access token is required", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if !static {
		hd.Set("Cache-Control", "no-store")
	}
	ctx, cancel := context.WithTimeout(r.Context(), orDefault(h.cfg.RequestTimeout, DefaultRequestTimeout))
	defer cancel()
	h.mux.ServeHTTP(w, r.WithContext(context.WithValue(ctx, authedKey{}, authed)))
}

// authedKey is the context key of whether ServeHTTP found the request
// authorised.
type authedKey struct{}

// staticFiles sets the assets' cache lifetime.
func staticFiles(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	if err := h.store.Ping(r.Context()); err != nil {
		h.cfg.logger().Warn("health check failed", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// classify maps err to a status and a message for the client: 400 for a
// bad filter, 404 for a missing report, 503 for a query that took too
// long, 500 (the detail logged, not shown) for anything else.
func (h *handler) classify(r *http.Request, err error) (int, string) {
	var fe *filterError
	switch {
	case errors.As(err, &fe):
		return http.StatusBadRequest, fe.Error()
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, context.DeadlineExceeded):
		h.cfg.logger().Warn("request timed out", "path", r.URL.Path)
		return http.StatusServiceUnavailable, "the query took too long"
	}
	h.cfg.logger().Error("request failed", "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "internal error (logged)"
}

// fail answers a page request with the error page classify calls for.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := h.classify(r, err)
	h.errorPage(w, r, status, msg)
}

// pageData is what every page template gets.
type pageData struct {
	Page       string // the template's name, on <body data-page>
	Title      string
	LastIngest time.Time
	LoginOn    bool // a token is required and was given: show the log-out button
	// Authed: the request may read the store. When false (the login
	// form before logging in) the page shows nothing the store holds,
	// not even the time of the last ingest.
	Authed bool
	Filter filter
	Data   any
}

// Href returns path with the page's filter as its query, with the
// key/value pairs in kv replacing the filter's (an empty value removes the
// key). Values are percent-encoded; the path's variable part must already
// be validated (an IP address, a number).
func (p *pageData) Href(path string, kv ...string) string {
	q := p.Filter.values(false)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if e := q.Encode(); e != "" {
		return path + "?" + e
	}
	return path
}

// ExportHref is the link to a table's export: /api/TABLE(.csv) with the
// page's filter, IP included.
func (p *pageData) ExportHref(table, format string) string {
	q := p.Filter.values(true)
	path := "/api/" + table
	if format == "csv" {
		path += ".csv"
	}
	if e := q.Encode(); e != "" {
		return path + "?" + e
	}
	return path
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) {
	t := h.pages[name]
	p.Authed, _ = r.Context().Value(authedKey{}).(bool)
	switch {
	case !p.Authed:
		p.LastIngest = time.Time{}
	case p.LastIngest.IsZero():
		p.LastIngest, _ = h.store.LastIngest(r.Context())
	}
	p.Page = name
	p.LoginOn = h.gate.enabled && p.Authed
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout", p); err != nil {
		h.cfg.logger().Error("template failed", "page", name, "err", err)
	}
}

func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error", &pageData{Title: http.StatusText(status), Data: msg})
}

// overviewData is the overview page's content and the /api/overview answer.
type overviewData struct {
	// Domains are the first Config.PageDomains policy domains by name,
	// for the filter's list; MoreDomains says that there are more. The
	// page adds the selected domain when the list was cut before it.
	Domains     []string `json:"domains"`
	MoreDomains bool     `json:"more_domains"`
	// OrgNames are the first Config.PageOrgs reporting organisations by
	// name, for the filter's list; MoreOrgNames says that there are
	// more. The page adds the selected one when the list was cut before
	// it.
	OrgNames     []string `json:"org_names"`
	MoreOrgNames bool     `json:"more_org_names"`
	// PageDomains and PageOrgs are the lists' bounds, for the page.
	PageDomains, PageOrgs int           `json:"-"`
	Total                 report.Counts `json:"total"`
	// Days are the latest days of the selection, at most Config.MaxRows
	// (store.MaxLimit-1); MoreDays says that it has more (Total counts
	// them all).
	Days       []store.DayCounts     `json:"days"`
	MoreDays   bool                  `json:"more_days"`
	TopFailing []store.FailingSource `json:"top_failing"`
	// Orgs are the Config.PageOrgs reporting organisations with the most
	// messages; MoreOrgs says that there are more (the export lists
	// them).
	Orgs     []store.OrgCounts `json:"orgs"`
	MoreOrgs bool              `json:"more_orgs"`
	// Policies are the Config.PagePolicies published policies seen last,
	// oldest first; MorePolicies says that there are more (the export
	// lists them).
	Policies     []store.PolicyPeriod `json:"policies"`
	MorePolicies bool                 `json:"more_policies"`
	// Reports are the newest Config.PageReports reports; MoreReports
	// says that the selection holds more (the export lists them).
	Reports     []store.ReportInfo `json:"reports"`
	MoreReports bool               `json:"more_reports"`
	LastIngest  time.Time          `json:"last_ingest"`
	// Names holds what reverse DNS says of the failing sources, by
	// address (with a Config.Resolver).
	Names map[string]sourceName `json:"names,omitempty"`
	// NamesSkipped counts the failing sources left unnamed because the
	// page's DNS queries (DNSQueries, Config.MaxDNSQueries) were spent.
	NamesSkipped int `json:"names_skipped,omitempty"`
	DNSQueries   int `json:"-"`
	// Other counts the period's TLS sessions and failure reports.
	Other otherCounts `json:"other"`

	MessagesChart *chart `json:"-"`
	RateChart     *chart `json:"-"`
}

// firstPage returns the first limit items a query asked limit+1 of, and
// whether there were more.
func firstPage[T any](items []T, limit int) ([]T, bool) {
	if len(items) > limit {
		return items[:limit], true
	}
	return items, false
}

// offering returns the choices of a filter's list (domains, reporters)
// with the selected one added when the list was cut before it, so that
// the form keeps it. The choices are not modified.
func offering(choices []string, selected string) []string {
	if selected == "" || slices.Contains(choices, selected) {
		return choices
	}
	return append(slices.Clip(choices), selected)
}

// leastRecent returns the policies, sorted oldest first, without the one
// seen last the longest ago (of those, the last listed): the one more a
// page asked for than it shows.
func leastRecent(ps []store.PolicyPeriod) []store.PolicyPeriod {
	drop := 0
	for i, p := range ps {
		if p.Last <= ps[drop].Last {
			drop = i
		}
	}
	return slices.Delete(slices.Clone(ps), drop, drop+1)
}

// loadOverview runs the overview's queries, or returns the cached answer
// when nothing was ingested since. The reporter list ignores the org
// filter, so that the form can switch from one reporter to another. The
// caller must not modify the result.
func (h *handler) loadOverview(ctx context.Context, f filter) (*overviewData, error) {
	last, err := h.store.LastIngest(ctx)
	if err != nil {
		return nil, err
	}
	key := f.values(false).Encode()
	if d := h.cache.get(key, last); d != nil {
		return d, nil
	}
	sf := f.store()
	d := &overviewData{LastIngest: last}
	allOrgs := sf
	allOrgs.Org = ""
	for _, q := range []func() error{
		func() (err error) {
			limit := h.cfg.pageDomains()
			d.Domains, err = h.store.Domains(ctx, limit+1)
			d.Domains, d.MoreDomains = firstPage(d.Domains, limit)
			return
		},
		func() (err error) {
			limit := h.cfg.pageOrgs()
			d.OrgNames, err = h.store.OrgNames(ctx, allOrgs, limit+1)
			d.OrgNames, d.MoreOrgNames = firstPage(d.OrgNames, limit)
			return
		},
		func() (err error) {
			d.Days, d.MoreDays, err = latestDays(&h.cfg, func(limit int) ([]store.DayCounts, error) { return h.store.Days(ctx, sf, limit) })
			if err == nil && d.MoreDays {
				d.Total, err = h.store.Total(ctx, sf)
			} else {
				d.Total = sumDays(d.Days)
			}
			return
		},
		func() (err error) { d.TopFailing, err = h.store.FailingSources(ctx, sf, h.cfg.topSources()); return },
		func() (err error) {
			limit := h.cfg.pageOrgs()
			d.Orgs, err = h.store.Orgs(ctx, sf, limit+1)
			d.Orgs, d.MoreOrgs = firstPage(d.Orgs, limit)
			return
		},
		func() (err error) {
			limit := h.cfg.pagePolicies()
			d.Policies, err = h.store.Policies(ctx, sf, limit+1)
			if len(d.Policies) > limit {
				d.Policies, d.MorePolicies = leastRecent(d.Policies), true
			}
			return
		},
		func() (err error) { d.Other, err = h.loadOtherCounts(ctx, sf); return },
		func() (err error) {
			limit := h.cfg.pageReports()
			d.Reports, err = h.store.Reports(ctx, sf, store.Page{Limit: limit + 1})
			d.Reports, d.MoreReports = firstPage(d.Reports, limit)
			return
		},
	} {
		if err = q(); err != nil {
			return nil, err
		}
	}
	h.cache.put(key, last, d)
	return d, nil
}

// latestDays runs a query of rows per day for the latest Config.MaxRows
// days (at most store.MaxLimit-1: it asks for one more, to know whether
// it left days out) and returns them, oldest first, and whether there
// were more.
func latestDays[T any](cfg *Config, query func(limit int) ([]T, error)) ([]T, bool, error) {
	limit := pageSize(cfg.MaxRows, DefaultMaxRows)
	days, err := query(limit + 1)
	if len(days) > limit {
		return days[len(days)-limit:], true, err
	}
	return days, false, err
}

// sumDays adds the days' counts, saturating like report.Summary.
func sumDays(days []store.DayCounts) report.Counts {
	var c report.Counts
	for _, d := range days {
		c.Add(d.Counts)
	}
	return c
}

func (h *handler) overview(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err == nil && f.IP.IsValid() {
		http.Redirect(w, r, (&pageData{Filter: f}).Href("/source/"+f.IP.String()), http.StatusSeeOther)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cached, err := h.loadOverview(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := *cached
	d.Domains, d.PageDomains = offering(d.Domains, f.Domain), h.cfg.pageDomains()
	d.OrgNames, d.PageOrgs = offering(d.OrgNames, f.Org), h.cfg.pageOrgs()
	ips := make([]string, len(d.TopFailing))
	for i, s := range d.TopFailing {
		ips[i] = s.SourceIP
	}
	d.Names, d.NamesSkipped = h.namesOf(r.Context(), ips)
	d.DNSQueries = h.cfg.maxDNSQueries()
	d.MessagesChart = messagesChart(d.Days)
	d.RateChart = rateChart(d.Days)
	title := "All domains"
	if f.Domain != "" {
		title = f.Domain
	}
	h.render(w, r, http.StatusOK, "overview", &pageData{Title: title, LastIngest: d.LastIngest, Filter: f, Data: &d})
}

// sourceData is a source's page.
type sourceData struct {
	Source store.FailingSource
	Name   sourceName
	Total  report.Counts
	Days   []store.DayCounts
	// Reports are the source's newest Config.PageReports reports;
	// MoreReports says that there are more (the export lists them).
	Reports     []store.ReportInfo
	MoreReports bool
	Chart       *chart
	Rate        *chart
}

func (h *handler) source(w http.ResponseWriter, r *http.Request) {
	a, err := netip.ParseAddr(r.PathValue("ip"))
	if err != nil || !validIP(a) {
		h.fail(w, r, &filterError{"ip", "not an IP address"})
		return
	}
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.IP = a
	ctx, sf, ip := r.Context(), f.store(), a.String()
	d := &sourceData{}
	for _, q := range []func() error{
		func() (err error) { d.Source, err = h.store.Source(ctx, sf, ip); return },
		func() (err error) { d.Days, err = h.store.SourceDays(ctx, sf, ip); return },
		func() (err error) {
			limit := h.cfg.pageReports()
			d.Reports, err = h.store.SourceReports(ctx, sf, ip, store.Page{Limit: limit + 1})
			d.Reports, d.MoreReports = firstPage(d.Reports, limit)
			return
		},
	} {
		if err = q(); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.Total = sumDays(d.Days)
	names, _ := h.namesOf(ctx, []string{ip}) // one address: within any budget
	d.Name = names[ip]
	d.Chart, d.Rate = messagesChart(d.Days), rateChart(d.Days)
	h.render(w, r, http.StatusOK, "source", &pageData{Title: ip, Filter: f, Data: d})
}

// parseID reads a report's id as the pages write it: digits without a
// sign or leading zeros, so that each report has one URL.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, &filterError{"id", "not a report id"}
	}
	return id, nil
}

// reportData is a report's page: the report, its first Config.MaxRows
// rows and conflicting copies, and its counts over every row.
type reportData struct {
	*store.ReportDetail
	Counts report.Counts
	// Rows and Conflicts count the report's rows and its conflicting
	// copies (ReportInfo.Conflicts), when the page lists fewer (0
	// otherwise).
	Rows, Conflicts int
}

// loadReport returns the report the path's {id} names.
func (h *handler) loadReport(r *http.Request) (*store.ReportDetail, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return h.store.Report(r.Context(), id)
}

// loadReportHead returns the report the path's {id} names with its first
// Config.MaxRows rows, and its counts over all of them: one report may
// hold store.Options.MaxRecords rows (a million by default), and a page
// or a table export reads only those it lists.
func (h *handler) loadReportHead(r *http.Request) (*store.ReportDetail, report.Counts, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return nil, report.Counts{}, err
	}
	return h.store.ReportHead(r.Context(), id, h.cfg.maxRows())
}

func (h *handler) report(w http.ResponseWriter, r *http.Request) {
	d, counts, err := h.loadReportHead(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rd := reportData{ReportDetail: d, Counts: counts}
	if d.Records > len(d.Aggregate.Records) {
		rd.Rows = d.Records
	}
	// The store lists at most store.MaxLimit conflicting copies (the
	// default MaxRows): ReportInfo.Conflicts counts them all.
	limit := h.cfg.maxRows()
	if n := max(d.ReportInfo.Conflicts, len(d.ConflictList)); n > min(len(d.ConflictList), limit) {
		cut := *rd.ReportDetail
		cut.ConflictList = cut.ConflictList[:min(len(cut.ConflictList), limit)]
		rd.ReportDetail, rd.Conflicts = &cut, n
	}
	h.render(w, r, http.StatusOK, "report", &pageData{Title: "Report " + d.ReportID, Data: rd})
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "login", &pageData{Title: "Log in", Data: ""})
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return
	}
	if !h.gate.enabled {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	right, err := h.gate.checkToken(r.PostForm.Get("token"))
	if err != nil {
		w.Header().Set("Retry-After", "5")
		h.render(w, r, http.StatusTooManyRequests, "login", &pageData{Title: "Log in", Data: err.Error()})
		return
	}
	if !right {
		h.render(w, r, http.StatusUnauthorized, "login", &pageData{Title: "Log in", Data: "wrong token"})
		return
	}
	h.gate.endSession(r) // a session the request already had is replaced, not kept beside
	h.gate.setCookie(w, h.gate.newSession(), int(sessionMaxAge/time.Second))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return
	}
	h.gate.endSession(r)
	h.gate.setCookie(w, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
