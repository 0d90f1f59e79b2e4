package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/store"
)

// cappedReports is a store of n reports whose listings stop at
// store.MaxLimit rows, as the store's do.
type cappedReports struct {
	Store
	n int
}

func (c cappedReports) list(p store.Page) []store.ReportInfo {
	limit := p.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	out := make([]store.ReportInfo, min(limit, store.MaxLimit, c.n))
	for i := range out {
		out[i] = store.ReportInfo{ID: int64(c.n - i), ReportID: fmt.Sprintf("r-%d", c.n-1-i), OrgName: "example.net",
			PolicyDomain: "example.org", Day: "2025-01-01"}
	}
	return out
}

func (c cappedReports) Reports(_ context.Context, _ store.Filter, p store.Page) ([]store.ReportInfo, error) {
	return c.list(p), nil
}

func (c cappedReports) SourceReports(_ context.Context, _ store.Filter, _ string, p store.Page) ([]store.ReportInfo, error) {
	return c.list(p), nil
}

// TestPageSizesBelowStoreCap: PageReports and PageTLSFailures at or past
// the store's cap (store.MaxLimit rows a query) are taken as
// store.MaxLimit-1, so that a page with more items than the cap still
// asks for one more than it shows and says that it left some out.
func TestPageSizesBelowStoreCap(t *testing.T) {
	st, _ := openStore(t)
	if _, err := st.AddTLS(context.Background(), tlsFailureGroups(store.MaxLimit+1), store.Source{}); err != nil {
		t.Fatal(err)
	}
	const shown = store.MaxLimit - 1
	for _, size := range []int{store.MaxLimit, store.MaxLimit + 5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			h, err := NewHandler(Config{Store: cappedReports{st, store.MaxLimit + 1}, PageReports: size, PageTLSFailures: size})
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/", "/source/192.0.2.5"} {
				page := get(h, path).Body.String()
				if ids := listedReports(t, page); len(ids) != shown || !strings.Contains(page, `id="reports-cut"`) {
					t.Errorf("PageReports %d, %s: %d reports listed of %d, note shown %v; want %d and the note",
						size, path, len(ids), store.MaxLimit+1, strings.Contains(page, `id="reports-cut"`), shown)
				}
			}
			page := get(h, "/tls").Body.String()
			rows := section(t, page, `<table id="tls-failures">`)
			if n := strings.Count(rows, "<tr><td>"); n != shown || !strings.Contains(page, `id="failures-cut"`) {
				t.Errorf("PageTLSFailures %d: %d failure groups listed of %d, note shown %v; want %d and the note",
					size, n, store.MaxLimit+1, strings.Contains(page, `id="failures-cut"`), shown)
			}
		})
	}
}
