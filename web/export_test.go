package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/store"
)

// TestReportConflictsExport: the report page's "Conflicting copies" table
// has CSV and JSON exports like every other table, and its CSV cells are
// guarded against formulas (a copy's source name is the sender's choice
// when it names the attachment).
func TestReportConflictsExport(t *testing.T) {
	st, _ := openStore(t, fixture()...)
	other := fixture()[0]
	other.Records = other.Records[:1] // same identity, other content
	added, err := st.(store.Store).AddAggregate(context.Background(), other, store.Source{Name: hostileFrom})
	if err != nil || added.Outcome != store.OutcomeConflict {
		t.Fatalf("adding the conflicting copy: %+v, %v", added, err)
	}
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	page := get(h, "/report/1").Body.String()
	for _, want := range []string{`id="conflicts"`, `href="/api/report/1/conflicts.csv"`, `href="/api/report/1/conflicts"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the report page lacks %s", want)
		}
	}
	checkNoActiveContent(t, "/report/1", page)

	w := get(h, "/api/report/1/conflicts.csv")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("conflicts.csv: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(w.Body).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("conflicts.csv: %v, rows %q", err, rows)
	}
	if want := []string{"source", "digest", "messages", "records", "ingested_at"}; strings.Join(rows[0], ",") != strings.Join(want, ",") {
		t.Errorf("header %q, want %q", rows[0], want)
	}
	if got := rows[1]; got[0] != "'"+hostileFrom || got[2] != "100" || got[3] != "1" || got[4] != "2026-01-02T03:04:05Z" {
		t.Errorf("row %q: want the guarded source, 100 messages in 1 record, ingested 2026-01-02T03:04:05Z", got)
	}

	for _, path := range []string{"/api/report/1/conflicts", "/api/report/1/conflicts.json"} {
		w = get(h, path)
		var cs []store.Conflict
		if err := json.Unmarshal(w.Body.Bytes(), &cs); err != nil || len(cs) != 1 || cs[0].Source != hostileFrom || cs[0].Messages != 100 {
			t.Errorf("%s: %v, %+v", path, err, cs)
		}
	}
	// A report without conflicts exports an empty table, and shows none.
	if rows, err := csv.NewReader(get(h, "/api/report/2/conflicts.csv").Body).ReadAll(); err != nil || len(rows) != 1 {
		t.Errorf("report 2's conflicts.csv: %v, %q", err, rows)
	}
	if strings.Contains(get(h, "/report/2").Body.String(), `id="conflicts"`) {
		t.Errorf("report 2 shows a conflicts table")
	}
	if w := get(h, "/api/report/1/nothing.csv"); w.Code != http.StatusNotFound {
		t.Errorf("an unknown report table: %d", w.Code)
	}
}

// TestEmptyExportIsArray: a table with no rows is [] in JSON, not null.
func TestEmptyExportIsArray(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	for _, p := range []string{"/api/tls/failures", "/api/tls/days", "/api/failures", "/api/report/1/conflicts"} {
		w := get(h, p)
		if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "[]" {
			t.Errorf("%s: status %d, body %q; want []", p, w.Code, w.Body.String())
		}
	}
}
