package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// table is one exportable table: its rows as JSON (the store's values) and
// as CSV cells.
type table struct {
	name   string
	json   any
	header []string
	rows   [][]string
}

var countsHeader = []string{"messages", "dmarc_pass", "dmarc_fail", "dkim_aligned", "spf_aligned", "quarantined", "rejected", "dmarc_pass_rate"}

func countCells(c report.Counts) []string {
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	return []string{u(c.Messages), u(c.DMARCPass), u(c.DMARCFail), u(c.DKIMAligned), u(c.SPFAligned),
		u(c.Quarantined), u(c.Rejected), strconv.FormatFloat(c.Rate(c.DMARCPass), 'f', 4, 64)}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func daysTable(days []store.DayCounts) *table {
	t := &table{name: "days", json: days, header: append([]string{"day"}, countsHeader...)}
	for _, d := range days {
		t.rows = append(t.rows, append([]string{d.Day}, countCells(d.Counts)...))
	}
	return t
}

func sourcesTable(srcs []store.SourceCounts) *table {
	t := &table{name: "sources", json: srcs, header: append([]string{"source_ip", "reports"}, countsHeader...)}
	for _, s := range srcs {
		t.rows = append(t.rows, append([]string{s.SourceIP, strconv.Itoa(s.Reports)}, countCells(s.Counts)...))
	}
	return t
}

func failingTable(srcs []store.FailingSource) *table {
	t := &table{name: "failing", json: srcs, header: append([]string{"source_ip", "provider", "header_from"}, append(countsHeader, "diagnoses")...)}
	for _, s := range srcs {
		codes := make([]string, len(s.Diagnoses))
		for i, d := range s.Diagnoses {
			codes[i] = d.Code
		}
		row := append([]string{s.SourceIP, s.Provider, strings.Join(s.HeaderFrom, " ")}, countCells(s.Counts)...)
		t.rows = append(t.rows, append(row, strings.Join(codes, " ")))
	}
	return t
}

func orgsTable(orgs []store.OrgCounts) *table {
	t := &table{name: "orgs", json: orgs, header: append([]string{"org_name", "reports"}, countsHeader...)}
	for _, o := range orgs {
		t.rows = append(t.rows, append([]string{o.OrgName, strconv.Itoa(o.Reports)}, countCells(o.Counts)...))
	}
	return t
}

func policiesTable(ps []store.PolicyPeriod) *table {
	t := &table{name: "policies", json: ps, header: []string{"domain", "p", "sp", "np", "pct", "adkim", "aspf", "fo", "testing", "first", "last", "reports", "messages"}}
	for _, p := range ps {
		pp := p.Policy
		t.rows = append(t.rows, []string{p.Domain, string(pp.P), string(pp.SP), string(pp.NP), pctText(pp.PCT), string(pp.ADKIM), string(pp.ASPF),
			pp.FO, string(pp.Testing), p.First, p.Last, strconv.Itoa(p.Reports), strconv.FormatUint(p.Messages, 10)})
	}
	return t
}

func pctText(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func reportsTable(rs []store.ReportInfo) *table {
	t := &table{name: "reports", json: rs, header: []string{"id", "org_name", "email", "report_id", "policy_domain", "begin", "end", "day",
		"messages", "records", "warnings", "signature", "signed_by", "source", "ingested_at", "conflicts"}}
	for _, r := range rs {
		t.rows = append(t.rows, []string{strconv.FormatInt(r.ID, 10), r.OrgName, r.Email, r.ReportID, r.PolicyDomain, stamp(r.Begin), stamp(r.End), r.Day,
			strconv.FormatUint(r.Messages, 10), strconv.Itoa(r.Records), strconv.Itoa(r.Warnings), r.Signature.String(), r.SignedBy, r.Source,
			stamp(r.IngestedAt), strconv.Itoa(r.Conflicts)})
	}
	return t
}

func domainsTable(ds []string) *table {
	t := &table{name: "domains", json: ds, header: []string{"domain"}}
	for _, d := range ds {
		t.rows = append(t.rows, []string{d})
	}
	return t
}

func rowsTable(a *report.Aggregate) *table {
	t := &table{name: "rows", json: a.Records, header: []string{"source_ip", "count", "disposition", "dkim", "spf", "header_from",
		"envelope_from", "envelope_to", "dkim_results", "spf_results", "reasons"}}
	for _, rec := range a.Records {
		t.rows = append(t.rows, []string{ipText(rec.Row.SourceIP), strconv.FormatUint(rec.Row.Count, 10),
			string(rec.Row.PolicyEvaluated.Disposition), string(rec.Row.PolicyEvaluated.DKIM), string(rec.Row.PolicyEvaluated.SPF),
			rec.Identifiers.HeaderFrom, rec.Identifiers.EnvelopeFrom, rec.Identifiers.EnvelopeTo,
			dkimText(rec.AuthResults.DKIM), spfText(rec.AuthResults.SPF), reasonsText(rec.Row.PolicyEvaluated.Reasons)})
	}
	return t
}

func warningsTable(a *report.Aggregate) *table {
	t := &table{name: "warnings", json: a.Warnings, header: []string{"warning"}}
	for _, w := range a.Warnings {
		t.rows = append(t.rows, []string{w.String()})
	}
	return t
}

func conflictsTable(cs []store.Conflict) *table {
	t := &table{name: "conflicts", json: cs, header: []string{"source", "digest", "messages", "records", "ingested_at"}}
	for _, c := range cs {
		t.rows = append(t.rows, []string{c.Source, c.Digest, strconv.FormatUint(c.Messages, 10), strconv.Itoa(c.Records), stamp(c.IngestedAt)})
	}
	return t
}

// ipText writes a, or "" for the zero Addr (a row without a source).
func ipText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func dkimText(rs []report.DKIMAuthResult) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Domain
		if r.Selector != "" {
			parts[i] += " s=" + r.Selector
		}
		parts[i] += ": " + string(r.Result)
	}
	return strings.Join(parts, "; ")
}

func spfText(rs []report.SPFAuthResult) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Domain
		if r.Scope != "" {
			parts[i] += " (" + string(r.Scope) + ")"
		}
		parts[i] += ": " + string(r.Result)
	}
	return strings.Join(parts, "; ")
}

func reasonsText(rs []report.PolicyOverrideReason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r.Type)
		if r.Comment != "" {
			parts[i] += ": " + r.Comment
		}
	}
	return strings.Join(parts, "; ")
}

// writeTable answers with t as JSON or, when csvOut, as CSV whose every
// cell went through termsafe.CSVCell: a report's "=HYPERLINK(...)" stays
// text in a spreadsheet.
func (h *handler) writeTable(w http.ResponseWriter, t *table, csvOut bool) {
	if !csvOut {
		v := t.json
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
			v = []struct{}{} // an empty table is [], not null
		}
		writeJSON(w, v)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+t.name+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(t.header)
	cells := make([]string, len(t.header))
	for _, row := range t.rows {
		for i, c := range row {
			cells[i] = termsafe.CSVCell(c)
		}
		cw.Write(cells[:len(row)])
	}
	cw.Flush()
}

// writeJSON answers with v; encoding/json escapes <, > and & in strings,
// so that no report text can be read as markup even by a client that
// sniffs.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(v)
}

func (h *handler) apiOverview(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	d, err := h.loadOverview(r.Context(), f)
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	writeJSON(w, d)
}

// apiTable serves /api/TABLE and /api/TABLE.csv for the overview's and a
// source's tables.
func (h *handler) apiTable(w http.ResponseWriter, r *http.Request) {
	name, csvOut := tableName(r)
	f, err := parseFilter(r.URL.Query(), h.cfg.maxDays())
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	ctx, limit, sf, ip := r.Context(), h.cfg.maxRows(), f.store(), ""
	if f.IP.IsValid() {
		ip = f.IP.String()
	}
	var t *table
	switch {
	case name == "days" && ip != "":
		t, err = build(limit, daysTable)(h.store.SourceDays(ctx, sf, ip))
	case name == "days":
		t, err = build(limit, daysTable)(h.store.Days(ctx, sf, limit))
	case name == "sources":
		t, err = build(limit, sourcesTable)(h.store.Sources(ctx, sf, limit))
	case name == "failing":
		t, err = build(limit, failingTable)(h.store.FailingSources(ctx, sf, limit))
	case name == "orgs":
		t, err = build(limit, orgsTable)(h.store.Orgs(ctx, sf, limit))
	case name == "policies":
		t, err = build(limit, policiesTable)(h.store.Policies(ctx, sf, limit))
	case name == "reports" && ip != "":
		t, err = build(limit, reportsTable)(h.store.SourceReports(ctx, sf, ip, store.Page{Limit: limit}))
	case name == "reports":
		t, err = build(limit, reportsTable)(h.store.Reports(ctx, sf, store.Page{Limit: limit}))
	case name == "domains":
		t, err = build(limit, domainsTable)(h.store.Domains(ctx, limit))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	h.writeTable(w, t, csvOut)
}

// tableName reads the path's {table}: the table's name, and whether it
// ends in .csv (CSV) rather than .json or nothing (JSON).
func tableName(r *http.Request) (name string, csvOut bool) {
	name, csvOut = strings.CutSuffix(r.PathValue("table"), ".csv")
	return strings.TrimSuffix(name, ".json"), csvOut
}

// build returns the function that makes the table of a query's rows, at
// most limit of them, or passes the query's error on.
func build[T any](limit int, mk func([]T) *table) func([]T, error) (*table, error) {
	return func(v []T, err error) (*table, error) {
		if err != nil {
			return nil, err
		}
		return mk(v[:min(len(v), limit)]), nil
	}
}

func (h *handler) apiReport(w http.ResponseWriter, r *http.Request) {
	d, err := h.loadReport(r)
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	writeJSON(w, d)
}

// apiReportTable serves a report's tables: /api/report/ID/rows,
// /api/report/ID/warnings and /api/report/ID/conflicts (the other copies
// met under its identity), with .csv for CSV.
func (h *handler) apiReportTable(w http.ResponseWriter, r *http.Request) {
	name, csvOut := tableName(r)
	if name != "rows" && name != "warnings" && name != "conflicts" {
		http.NotFound(w, r)
		return
	}
	d, _, err := h.loadReportHead(r)
	if err != nil {
		h.apiFail(w, r, err)
		return
	}
	limit := h.cfg.maxRows()
	a := *d.Aggregate
	a.Warnings = a.Warnings[:min(len(a.Warnings), limit)]
	var t *table
	switch name {
	case "rows":
		t = rowsTable(&a)
	case "warnings":
		t = warningsTable(&a)
	default:
		t = conflictsTable(d.ConflictList[:min(len(d.ConflictList), limit)])
	}
	h.writeTable(w, t, csvOut)
}

// apiFail is fail for the JSON API: the same statuses, a JSON body.
func (h *handler) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := h.classify(r, err)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
