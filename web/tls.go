package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/domainauth/domainauth/internal/sat"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/tlsrpt"
)

// tlsData is the TLS page: SMTP TLS reports (RFC 8460) per policy domain
// and day, and their failure details.
type tlsData struct {
	// Domains are the first Config.PageDomains policy domains by name
	// with TLS reports in the period (for the filter's list), and the
	// selected one; MoreDomains says that the period has more.
	Domains     []string
	MoreDomains bool
	PageDomains int
	Total       tlsrpt.SessionCounts
	// Days are the selected domains' sessions per day and domain, the
	// last Config.MaxRows rows, of the latest days (at most
	// store.MaxLimit-1, as the overview's days); MoreDays says that there
	// are more.
	Days     []store.TLSDayCounts
	MoreDays bool
	// Failures are the Config.PageTLSFailures failure groups with the
	// most failed sessions; MoreFailures says that there are more (the
	// export lists them).
	Failures     []store.TLSFailure
	MoreFailures bool
	Chart        *chart
}

// Sessions is the number of sessions, for the page.
func (d *tlsData) Sessions() uint64 { return sat.Add(d.Total.Successful, d.Total.Failure) }

// FailureRate is the share of failed sessions, for the page.
func (d *tlsData) FailureRate() string {
	n := d.Sessions()
	if n == 0 {
		return "–"
	}
	return percent(float64(d.Total.Failure) / float64(n))
}

// tlsTotal returns the selection's TLS sessions.
func (h *handler) tlsTotal(ctx context.Context, sf store.Filter) (tlsrpt.SessionCounts, error) {
	t, err := h.store.TLSTotal(ctx, sf)
	return tlsrpt.SessionCounts{Successful: t.Successful, Failure: t.Failure}, err
}

// sumTLSDays adds the sessions of days, saturating as tlsrpt.Summary does.
func sumTLSDays(days []store.TLSDayCounts) tlsrpt.SessionCounts {
	var t tlsrpt.SessionCounts
	for _, d := range days {
		t.Successful, t.Failure = sat.Add(t.Successful, d.Successful), sat.Add(t.Failure, d.Failure)
	}
	return t
}

func (h *handler) tls(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx, sf, d := r.Context(), f.store(), &tlsData{}
	// The filter's list offers every domain of the period.
	all := sf
	all.Domain = ""
	// The totals and the chart come from one row per day, whatever the
	// number of domains; the table of days and domains stops at MaxRows.
	var perDay []store.TLSDayCounts
	for _, q := range []func() error{
		func() (err error) {
			limit := h.cfg.pageDomains()
			d.PageDomains = limit
			d.Domains, err = h.store.TLSDomains(ctx, all, limit+1)
			d.Domains, d.MoreDomains = firstPage(d.Domains, limit)
			d.Domains = offering(d.Domains, f.Domain)
			return
		},
		func() (err error) {
			var more bool
			perDay, more, err = latestDays(&h.cfg, func(limit int) ([]store.TLSDayCounts, error) { return h.store.TLSDayTotals(ctx, sf, limit) })
			if err == nil && more {
				d.Total, err = h.tlsTotal(ctx, sf)
			} else {
				d.Total = sumTLSDays(perDay)
			}
			return
		},
		func() (err error) {
			d.Days, d.MoreDays, err = latestDays(&h.cfg, func(limit int) ([]store.TLSDayCounts, error) { return h.store.TLSDays(ctx, sf, limit) })
			return
		},
		func() (err error) {
			limit := h.cfg.pageTLSFailures()
			d.Failures, err = h.store.TLSFailures(ctx, sf, limit+1)
			d.Failures, d.MoreFailures = firstPage(d.Failures, limit)
			return
		},
	} {
		if err = q(); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.Chart = sessionsChart(perDay)
	title := "TLS reports"
	if f.Domain != "" {
		title += ": " + f.Domain
	}
	h.render(w, r, http.StatusOK, "tls", &pageData{Title: title, Filter: f, Data: d})
}

// sessionsChart draws the TLS sessions per day (TLSDayTotals' rows, or any
// rows: fillDays adds up those of one day): successful ones below, failed
// ones stacked above.
func sessionsChart(in []store.TLSDayCounts) *chart {
	// stackedChart reads store.DayCounts: Messages holds every session
	// of the day, DMARCPass the successful ones.
	perDay := make([]store.DayCounts, len(in))
	for i, d := range in {
		perDay[i] = store.DayCounts{Day: d.Day, Counts: report.Counts{Messages: sat.Add(d.Successful, d.Failure), DMARCPass: d.Successful}}
	}
	return stackedChart(perDay, "TLS sessions per day", func(d store.DayCounts, failed uint64) string {
		return fmt.Sprintf("%s: %s sessions, %s successful, %s failed", d.Day, thousands(d.Messages), thousands(d.DMARCPass), thousands(failed))
	})
}

func tlsDaysTable(days []store.TLSDayCounts) *table {
	t := &table{name: "tls-days", json: days, header: []string{"day", "policy_domain", "successful", "failed"}}
	for _, d := range days {
		t.rows = append(t.rows, []string{d.Day, d.Domain, strconv.FormatUint(d.Successful, 10), strconv.FormatUint(d.Failure, 10)})
	}
	return t
}

func tlsFailuresTable(fs []store.TLSFailure) *table {
	t := &table{name: "tls-failures", json: fs, header: []string{"policy_domain", "result_type", "receiving_mx_hostname",
		"sending_mta_ip", "receiving_ip", "failure_reason_code", "failed_sessions", "reports"}}
	for _, f := range fs {
		t.rows = append(t.rows, []string{f.Domain, string(f.ResultType), f.ReceivingMX, f.SendingIP, f.ReceivingIP,
			f.FailureReasonCode, strconv.FormatUint(f.FailedSessions, 10), strconv.Itoa(f.Reports)})
	}
	return t
}

// apiTLSTable serves /api/tls/days and /api/tls/failures, with .csv for
// CSV: of the days, the latest Config.MaxRows rows, as the TLS page lists
// them.
func (h *handler) apiTLSTable(w http.ResponseWriter, r *http.Request) {
	name, csvOut := tableName(r)
	if name != "days" && name != "failures" {
		http.NotFound(w, r)
		return
	}
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	ctx, limit, sf := r.Context(), h.cfg.maxRows(), f.store()
	var t *table
	if name == "days" {
		t, err = build(limit, tlsDaysTable)(h.store.TLSDays(ctx, sf, limit))
	} else {
		t, err = build(limit, tlsFailuresTable)(h.store.TLSFailures(ctx, sf, limit))
	}
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	h.writeTable(w, t, csvOut)
}
