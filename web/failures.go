package web

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/domainauth/domainauth/internal/sat"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/tlsrpt"
)

// failuresPerPage is the length of one page of the failure report list;
// the list pages on as far as Config.MaxRows reports (the export's bound),
// a narrower date range reaching older ones.
const failuresPerPage = 50

// failuresData is a page of the failure report list.
type failuresData struct {
	Failures []store.FailureInfo
	Page     int
	// Prev and Next link to the neighbouring pages; "" when there is none.
	Prev, Next string
}

// parsePage reads the list's page number: 1 to the last page within
// maxRows reports.
func parsePage(s string, maxRows int) (int, error) {
	if s == "" {
		return 1, nil
	}
	last := max((maxRows+failuresPerPage-1)/failuresPerPage, 1)
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, &filterError{"page", "not a page number"}
	}
	if n > last {
		return 0, &filterError{"page", "past the last page listed (" + strconv.Itoa(last) + "); narrow the date range to see older reports"}
	}
	return n, nil
}

func (h *handler) failures(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Org, f.IP = "", netip.Addr{} // neither applies to failure reports
	n, err := parsePage(r.URL.Query().Get("page"), h.cfg.maxRows())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	offset := (n - 1) * failuresPerPage
	// One more than a page tells whether there is a next one.
	list, err := h.store.Failures(r.Context(), f.store(), store.Page{Limit: failuresPerPage + 1, Offset: offset})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &pageData{Title: "Failure reports", Filter: f}
	d := &failuresData{Failures: list[:min(len(list), failuresPerPage)], Page: n}
	if n > 1 {
		d.Prev = p.Href("/failures", "page", strconv.Itoa(n-1))
	}
	if len(list) > failuresPerPage && offset+failuresPerPage < h.cfg.maxRows() {
		d.Next = p.Href("/failures", "page", strconv.Itoa(n+1))
	}
	if f.Domain != "" {
		p.Title += ": " + f.Domain
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "failures", p)
}

// loadFailure returns the failure report the path's {id} names.
func (h *handler) loadFailure(r *http.Request) (*store.FailureDetail, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return h.store.Failure(r.Context(), id)
}

func (h *handler) failure(w http.ResponseWriter, r *http.Request) {
	d, err := h.loadFailure(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "failure", &pageData{Title: "Failure report " + strconv.FormatInt(d.ID, 10), Data: d})
}

func failuresTable(fs []store.FailureInfo) *table {
	t := &table{name: "failures", json: fs, header: []string{"id", "arrival_date", "day", "reported_domain", "source_ip",
		"feedback_type", "auth_failure", "delivery_result", "incidents", "redacted", "signature", "signed_by", "source", "ingested_at"}}
	for _, f := range fs {
		t.rows = append(t.rows, []string{strconv.FormatInt(f.ID, 10), stamp(f.ArrivalDate), f.Day, f.Domain, f.SourceIP,
			f.FeedbackType, string(f.AuthFailure), string(f.DeliveryResult), strconv.FormatUint(f.Incidents, 10),
			strconv.FormatBool(f.Redacted), f.Signature.String(), f.SignedBy, f.Source, stamp(f.IngestedAt)})
	}
	return t
}

// fieldsTable is a list of header fields: the reported message's header
// or the report part's fields.
func fieldsTable(name string, fs []report.Field) *table {
	t := &table{name: name, json: fs, header: []string{"name", "value"}}
	for _, f := range fs {
		t.rows = append(t.rows, []string{f.Name, f.Value})
	}
	return t
}

// apiFailures serves /api/failures (.json, .csv): the newest failure
// reports, at most MaxRows.
func (h *handler) apiFailures(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	limit := h.cfg.maxRows()
	t, err := build(limit, failuresTable)(h.store.Failures(r.Context(), f.store(), store.Page{Limit: limit}))
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	h.writeTable(w, t, strings.HasSuffix(r.URL.Path, ".csv"))
}

func (h *handler) apiFailure(w http.ResponseWriter, r *http.Request) {
	d, err := h.loadFailure(r)
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	writeJSON(w, d)
}

// apiFailureTable serves a failure report's tables: /api/failure/ID/header
// (the reported message's header fields as stored) and
// /api/failure/ID/fields (the report part's fields; none when redacted),
// with .csv for CSV.
func (h *handler) apiFailureTable(w http.ResponseWriter, r *http.Request) {
	name, csvOut := tableName(r)
	if name != "header" && name != "fields" {
		http.NotFound(w, r)
		return
	}
	d, err := h.loadFailure(r)
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	fs := d.Report.Original.Header
	if name == "fields" {
		fs = d.Report.Fields
	}
	h.writeTable(w, fieldsTable(name, fs[:min(len(fs), h.cfg.maxRows())]), csvOut)
}

// otherCounts is the overview's line on the period's other reports.
type otherCounts struct {
	TLS tlsrpt.SessionCounts `json:"tls_sessions"`
	// FailureReports counts the failure reports.
	FailureReports int `json:"failure_reports"`
}

// Sessions is the number of TLS sessions, for the page.
func (o otherCounts) Sessions() uint64 { return sat.Add(o.TLS.Successful, o.TLS.Failure) }

// loadOtherCounts runs the overview's two queries on TLS and failure
// reports.
func (h *handler) loadOtherCounts(ctx context.Context, sf store.Filter) (otherCounts, error) {
	var o otherCounts
	var err error
	// The overview shows the TLS total only: one row, whatever the days.
	if o.TLS, err = h.tlsTotal(ctx, sf); err != nil {
		return o, err
	}
	o.FailureReports, err = h.store.FailureCount(ctx, sf)
	return o, err
}
