package web

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/domainauth/domainauth/report"
)

// memStore is a Store over reports held in memory, built on report.Summary
// like the real store: the handlers' tests need no database.
type memStore struct {
	reports []*ReportDetail // id = index+1
	last    time.Time
	pingErr error
}

func newMemStore(as ...*report.Aggregate) *memStore {
	m := &memStore{last: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, a := range as {
		m.add(a)
	}
	return m
}

func (m *memStore) add(a *report.Aggregate) *ReportDetail {
	s := report.Summarize(a)
	d := &ReportDetail{Report: a, ReportInfo: ReportInfo{
		ID: int64(len(m.reports) + 1), OrgName: a.Metadata.OrgName, ReportID: a.Metadata.ReportID,
		Domain: strings.ToLower(a.Policy.Domain), Begin: a.Metadata.DateRange.Begin, End: a.Metadata.DateRange.End,
		Counts: s.Total, Records: len(a.Records), Warnings: len(a.Warnings), Ingested: m.last,
	}}
	m.reports = append(m.reports, d)
	return d
}

// selected returns the reports f selects, each cut to f.IP's records.
func (m *memStore) selected(f Filter) []*report.Aggregate {
	var out []*report.Aggregate
	for _, d := range m.reports {
		a := d.Report
		if f.Domain != "" && d.Domain != f.Domain || f.Org != "" && a.Metadata.OrgName != f.Org {
			continue
		}
		if !f.overlaps(d.Begin, d.End) {
			continue
		}
		if f.IP.IsValid() {
			c := *a
			c.Records = nil
			for _, r := range a.Records {
				if r.Row.SourceIP == f.IP {
					c.Records = append(c.Records, r)
				}
			}
			if len(c.Records) == 0 {
				continue
			}
			a = &c
		}
		out = append(out, a)
	}
	return out
}

func (m *memStore) Domains(context.Context) ([]string, error) {
	set := map[string]bool{}
	for _, d := range m.reports {
		set[d.Domain] = true
	}
	return slices.Sorted(maps.Keys(set)), nil
}

func (m *memStore) Days(_ context.Context, f Filter) ([]Day, error) {
	var s report.Summary
	for _, a := range m.selected(Filter{Domain: f.Domain, Org: f.Org, IP: f.IP}) {
		s.Add(a)
	}
	var out []Day
	for day, c := range s.ByDay {
		if f.inDays(day) {
			out = append(out, Day{Day: day, Counts: *c})
		}
	}
	slices.SortFunc(out, func(a, b Day) int { return strings.Compare(a.Day, b.Day) })
	return out, nil
}

func (m *memStore) Sources(_ context.Context, f Filter, limit int) ([]Source, error) {
	per := map[string]*report.Summary{}
	for _, a := range m.selected(f) {
		by := map[string][]report.Record{}
		for _, r := range a.Records {
			k := r.Row.SourceIP.String()
			by[k] = append(by[k], r)
		}
		for k, recs := range by {
			c := *a
			c.Records = recs
			if per[k] == nil {
				per[k] = &report.Summary{}
			}
			per[k].Add(&c)
		}
	}
	var out []Source
	for _, s := range per {
		var src Source
		for ip := range s.BySourceIP {
			src.IP, _ = netip.ParseAddr(ip)
		}
		src.Counts, src.Diagnoses = s.Total, s.Diagnoses()
		out = append(out, src)
	}
	slices.SortFunc(out, func(a, b Source) int {
		return cmp.Or(cmp.Compare(b.DMARCFail, a.DMARCFail), a.IP.Compare(b.IP))
	})
	return out[:min(len(out), limit)], nil
}

func (m *memStore) Orgs(_ context.Context, f Filter) ([]Org, error) {
	by := map[string]*Org{}
	for _, a := range m.selected(f) {
		o := by[a.Metadata.OrgName]
		if o == nil {
			o = &Org{Name: a.Metadata.OrgName}
			by[o.Name] = o
		}
		o.Reports++
		addCounts(&o.Counts, report.Summarize(a).Total)
	}
	var out []Org
	for _, o := range by {
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b Org) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

func (m *memStore) Policies(_ context.Context, f Filter) ([]Policy, error) {
	by := map[string]*Policy{}
	for _, a := range m.selected(f) {
		k := fmt.Sprintf("%+v %v", a.Policy, pctText(a.Policy.PCT))
		p := by[k]
		if p == nil {
			p = &Policy{PolicyPublished: a.Policy, First: a.Metadata.DateRange.Begin, Last: a.Metadata.DateRange.End}
			by[k] = p
		}
		p.Reports++
		if a.Metadata.DateRange.Begin.Before(p.First) {
			p.First = a.Metadata.DateRange.Begin
		}
		if a.Metadata.DateRange.End.After(p.Last) {
			p.Last = a.Metadata.DateRange.End
		}
	}
	var out []Policy
	for _, p := range by {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Policy) int { return cmp.Or(a.First.Compare(b.First), strings.Compare(a.Domain, b.Domain)) })
	return out, nil
}

func (m *memStore) Reports(_ context.Context, f Filter, limit int) ([]ReportInfo, error) {
	var out []ReportInfo
	for _, d := range m.reports {
		if len((&memStore{reports: []*ReportDetail{d}}).selected(f)) == 0 {
			continue
		}
		out = append(out, d.ReportInfo)
	}
	slices.SortFunc(out, func(a, b ReportInfo) int { return cmp.Or(b.End.Compare(a.End), cmp.Compare(a.ID, b.ID)) })
	return out[:min(len(out), limit)], nil
}

func (m *memStore) Report(_ context.Context, id int64) (*ReportDetail, error) {
	if id < 1 || id > int64(len(m.reports)) {
		return nil, fmt.Errorf("report %d: %w", id, ErrNotFound)
	}
	return m.reports[id-1], nil
}

func (m *memStore) LastIngest(context.Context) (time.Time, error) { return m.last, nil }
func (m *memStore) Ping(context.Context) error                    { return m.pingErr }
