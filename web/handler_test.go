package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/zone"
	"golang.org/x/net/html"
)

// TestSecurityHeaders: every answer, pages, API, errors and assets alike,
// carries the strict CSP and the other protective headers.
func TestSecurityHeaders(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	for _, path := range []string{"/", "/report/1", "/report/999", "/source/192.0.2.1", "/api/overview", "/api/days.csv",
		"/static/style.css", "/healthz", "/login", "/nothing", "/?domain=%3Cx%3E"} {
		w := get(h, path)
		hd := w.Header()
		if got := hd.Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("%s: CSP = %q", path, got)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := hd.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
		if hd.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", path)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "script-src", "*"} {
		if strings.Contains(contentSecurityPolicy, bad) {
			t.Errorf("CSP contains %s", bad)
		}
	}
}

// TestPagesHaveNoInlineScriptOrStyle: the CSP forbids inline script and
// style, so the pages must not need them.
func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	for _, path := range []string{"/", "/report/1", "/report/3", "/source/192.0.2.1", "/source/192.0.2.66", "/login",
		"/?domain=example.org&from=2025-03-02", "/?domain=evil.example", "/report/99"} {
		w := get(h, path)
		checkNoActiveContent(t, path, w.Body.String())
	}
}

// checkNoActiveContent fails t when the HTML page holds a script or style
// element, an inline style or event-handler attribute, or a javascript:
// URL: what the CSP would block, or what would run without it.
func checkNoActiveContent(t *testing.T, path, page string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.Data == "script" || tok.Data == "style" || tok.Data == "iframe" || tok.Data == "object" {
			t.Errorf("%s: <%s> element", path, tok.Data)
		}
		for _, a := range tok.Attr {
			k := strings.ToLower(a.Key)
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if k == "style" || strings.HasPrefix(k, "on") {
				t.Errorf("%s: <%s %s=%q>", path, tok.Data, a.Key, a.Val)
			}
			if (k == "href" || k == "src" || k == "action") && !strings.HasPrefix(v, "/") {
				t.Errorf("%s: <%s %s=%q> leaves the site", path, tok.Data, a.Key, a.Val)
			}
		}
	}
}

// TestHostileReportEscaped: the hostile report's strings appear escaped
// on every page and in the JSON, never as markup.
func TestHostileReportEscaped(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	for _, path := range []string{"/", "/report/3", "/?domain=evil.example", "/source/192.0.2.66", "/api/overview", "/api/report/3"} {
		w := get(h, path)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", path, w.Code)
		}
		body := w.Body.String()
		for _, raw := range []string{hostileOrg, hostileID, `"><script>`, "<img"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: raw %q in the output", path, raw)
			}
		}
	}
	page := get(h, "/report/3").Body.String()
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;org&#34;)&lt;/script&gt;") {
		t.Errorf("report page does not show the org name as text")
	}
	if strings.Contains(page, `href="javascript:`) {
		t.Errorf("a report's contact became a link")
	}
	// The org name is in the overview's reporter links only percent-encoded.
	over := get(h, "/").Body.String()
	if want := "org=%3Cscript%3Ealert%28%22org%22%29%3C%2Fscript%3E"; !strings.Contains(over, want) {
		t.Errorf("overview: the hostile org's filter link is not percent-encoded as %s", want)
	}
}

// TestCSVFormulaInjection: report text that a spreadsheet would run as a
// formula is exported as text (a leading quote), in every table.
func TestCSVFormulaInjection(t *testing.T) {
	reports := fixture()
	reports[2].Metadata.OrgName = "=cmd|' /C calc'!A0"
	st, _ := openStore(t, reports...)
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, col, want string
	}{
		{"/api/report/3/rows.csv", "header_from", "'" + hostileFrom},
		{"/api/orgs.csv", "org_name", "'=cmd|' /C calc'!A0"},
		{"/api/reports.csv", "org_name", "'=cmd|' /C calc'!A0"},
	} {
		w := get(h, tc.path)
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("%s: Content-Type %q", tc.path, ct)
		}
		rows, err := csv.NewReader(w.Body).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v, %d rows", tc.path, err, len(rows))
		}
		col := -1
		for i, name := range rows[0] {
			if name == tc.col {
				col = i
			}
		}
		found := false
		for _, row := range rows[1:] {
			if strings.HasPrefix(row[col], "=") {
				t.Errorf("%s: cell %q starts a formula", tc.path, row[col])
			}
			found = found || row[col] == tc.want
		}
		if !found {
			t.Errorf("%s: no %s cell %q in %q", tc.path, tc.col, tc.want, rows)
		}
	}
}

const testToken = "0123456789abcdef-test-token"

// TestTokenRules: with a token, every request but the health check, the
// login form and the assets needs it, in a header or the login cookie;
// never in a URL.
func TestTokenRules(t *testing.T) {
	h, _ := newTestHandler(t, Config{Token: testToken})
	bearer := "Bearer " + testToken
	cases := []struct {
		name   string
		path   string
		hdr    []string
		status int
	}{
		{"page without token redirects to login", "/", nil, http.StatusSeeOther},
		{"api without token", "/api/overview", nil, http.StatusUnauthorized},
		{"wrong token", "/api/overview", []string{"Authorization", "Bearer wrong-wrong-wrong-wrong"}, http.StatusUnauthorized},
		{"token prefix", "/api/overview", []string{"Authorization", "Bearer " + testToken[:20]}, http.StatusUnauthorized},
		{"right token", "/api/overview", []string{"Authorization", bearer}, http.StatusOK},
		{"right token page", "/report/1", []string{"Authorization", bearer}, http.StatusOK},
		{"token as basic auth", "/api/overview", []string{"Authorization", "Basic " + testToken}, http.StatusUnauthorized},
		{"token as cookie is not a session", "/api/overview", []string{"Cookie", cookieName + "=" + testToken}, http.StatusUnauthorized},
		{"token in URL refused", "/api/overview?token=" + testToken, nil, http.StatusBadRequest},
		{"token in URL refused even with header", "/?access_token=" + testToken, []string{"Authorization", bearer}, http.StatusBadRequest},
		{"health needs no token", "/healthz", nil, http.StatusOK},
		{"assets need no token", "/static/style.css", nil, http.StatusOK},
		{"the assets folder itself needs a token", "/static/", nil, http.StatusSeeOther},
		{"login form needs no token", "/login", nil, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := get(h, tc.path, tc.hdr...)
			if w.Code != tc.status {
				t.Errorf("GET %s: status %d, want %d", tc.path, w.Code, tc.status)
			}
			if w.Code != http.StatusOK && strings.Contains(w.Body.String(), "example.org") {
				t.Errorf("GET %s: refused answer leaks data", tc.path)
			}
		})
	}
}

func postLogin(h http.Handler, token string, hdr ...string) *httptest.ResponseRecorder {
	r := newRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {token}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestLoginForm: the form sets an HttpOnly, SameSite=Strict cookie that is
// not the token itself and opens the pages; a cross-site login and a wrong
// token are refused.
func TestLoginForm(t *testing.T) {
	h, _ := newTestHandler(t, Config{Token: testToken})
	if w := postLogin(h, "wrong-wrong-wrong-wrong"); w.Code != http.StatusUnauthorized || len(w.Result().Cookies()) != 0 {
		t.Errorf("wrong token: status %d, cookies %v", w.Code, w.Result().Cookies())
	}
	if w := postLogin(h, testToken, "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusForbidden {
		t.Errorf("cross-site login: status %d", w.Code)
	}
	if w := postLogin(h, testToken, "Origin", "http://evil.example"); w.Code != http.StatusForbidden {
		t.Errorf("foreign Origin: status %d", w.Code)
	}
	w := postLogin(h, testToken, "Sec-Fetch-Site", "same-origin")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login: status %d", w.Code)
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("login set %d cookies", len(cs))
	}
	c := cs[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", c)
	}
	if strings.Contains(c.Value, testToken) {
		t.Errorf("the cookie holds the token")
	}
	if w := get(h, "/", "Cookie", c.Name+"="+c.Value); w.Code != http.StatusOK {
		t.Errorf("with the cookie: status %d", w.Code)
	}
	// Behind TLS the cookie is Secure.
	hs, _ := newTestHandler(t, Config{Token: testToken, BehindTLSProxy: true})
	w = postLogin(hs, testToken)
	if cs := w.Result().Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("behind a TLS proxy: cookies %v, want one Secure", cs)
	}
	if w.Header().Get("Strict-Transport-Security") == "" {
		t.Errorf("behind a TLS proxy: no HSTS")
	}
}

// TestCheckAddress: loopback is always allowed; any other address needs a
// token and TLS or a TLS proxy.
func TestCheckAddress(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		wantErr bool
		nonLoop bool // the error wraps ErrNonLoopback
	}{
		{"default", Config{}, false, false},
		{"loopback v4", Config{Listen: "127.0.0.1:9000"}, false, false},
		{"loopback v4 other", Config{Listen: "127.1.2.3:9000"}, false, false},
		{"loopback v6", Config{Listen: "[::1]:9000"}, false, false},
		{"localhost", Config{Listen: "localhost:9000"}, false, false},
		{"all interfaces", Config{Listen: ":8080"}, true, true},
		{"any v4", Config{Listen: "0.0.0.0:8080"}, true, true},
		{"public, no token", Config{Listen: "192.0.2.1:8080", TLSCert: "c", TLSKey: "k"}, true, true},
		{"public, token, no TLS", Config{Listen: "192.0.2.1:8080", Token: testToken}, true, true},
		{"public, token, TLS", Config{Listen: "192.0.2.1:8080", Token: testToken, TLSCert: "c", TLSKey: "k"}, false, false},
		{"public, token, proxy", Config{Listen: "[2001:db8::1]:8080", Token: testToken, BehindTLSProxy: true}, false, false},
		{"hostname", Config{Listen: "dash.example:8080"}, true, true},
		{"short token", Config{Listen: "0.0.0.0:8080", Token: "short", BehindTLSProxy: true}, true, false},
		{"short token on loopback", Config{Token: "short"}, true, false},
		{"cert without key", Config{TLSCert: "c"}, true, false},
		{"not host:port", Config{Listen: "127.0.0.1"}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.CheckAddress()
			if (err != nil) != tc.wantErr {
				t.Fatalf("CheckAddress(%+v) = %v, want error %v", tc.cfg, err, tc.wantErr)
			}
			if got := errors.Is(err, ErrNonLoopback); got != tc.nonLoop {
				t.Errorf("errors.Is(%v, ErrNonLoopback) = %v, want %v", err, got, tc.nonLoop)
			}
			var ce *ConfigError
			if err != nil && !errors.As(err, &ce) {
				t.Errorf("error %T is not a *ConfigError", err)
			}
		})
	}
	// Listen refuses before opening a socket.
	st, _ := openStore(t)
	if _, err := Listen(Config{Store: st, Listen: "0.0.0.0:0"}); !errors.Is(err, ErrNonLoopback) {
		t.Errorf("Listen on 0.0.0.0 without a token: %v", err)
	}
}

// TestFilterParams: bad filter values are refused with 400 and a message
// naming the parameter; the default MaxDays is the bound.
func TestFilterParams(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	cases := []struct {
		query  string
		status int
	}{
		{"domain=example.org", http.StatusOK},
		{"domain=EXAMPLE.ORG.", http.StatusOK},
		{"domain=%3Cscript%3E", http.StatusBadRequest},
		{"domain=a%20b", http.StatusBadRequest},
		{"org=" + url.QueryEscape(hostileOrg), http.StatusOK},
		{"org=a%0Ab", http.StatusBadRequest},
		{"org=a%E2%80%AEb", http.StatusBadRequest}, // U+202E, a bidi override
		{"org=" + strings.Repeat("x", maxOrgLen+1), http.StatusBadRequest},
		{"from=2025-03-02", http.StatusOK},
		{"from=yesterday", http.StatusBadRequest},
		{"from=2025-03-02&to=2025-03-01", http.StatusBadRequest},
		{"from=2025-01-01&to=" + day(2025, 1, 1).AddDate(0, 0, DefaultMaxDays-1).Format(time.DateOnly), http.StatusOK},
		{"from=2025-01-01&to=" + day(2025, 1, 1).AddDate(0, 0, DefaultMaxDays).Format(time.DateOnly), http.StatusBadRequest},
		{"ip=192.0.2.1", http.StatusSeeOther}, // the overview of one source is its page
		{"ip=fe80::1%25eth0", http.StatusBadRequest},
		{"ip=nope", http.StatusBadRequest},
	}
	for _, tc := range cases {
		for _, base := range []string{"/", "/api/days"} {
			want := tc.status
			if base != "/" && want == http.StatusSeeOther {
				want = http.StatusOK
			}
			w := get(h, base+"?"+tc.query)
			if w.Code != want {
				t.Errorf("%s?%s: status %d, want %d", base, tc.query, w.Code, want)
			}
		}
	}
	// A report has one URL: no sign, no leading zeros.
	for _, p := range []string{"/source/nope", "/source/fe80::1%25x", "/report/0", "/report/-1", "/report/x", "/api/report/99",
		"/report/+1", "/report/01", "/api/report/+1", "/failure/+1"} {
		if w := get(h, p); w.Code != http.StatusBadRequest && w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", p, w.Code)
		}
	}
}

// TestOverviewEqualsSummary: the overview's totals and days are
// report.Summary's over the same reports, and filters change them.
func TestOverviewEqualsSummary(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	type overviewJSON struct {
		Total      report.Counts
		Days       []store.DayCounts
		TopFailing []struct {
			IP string `json:"source_ip"`
		} `json:"top_failing"`
	}
	overview := func(q string) overviewJSON {
		w := get(h, "/api/overview?"+q)
		if w.Code != http.StatusOK {
			t.Fatalf("overview %s: %d %s", q, w.Code, w.Body)
		}
		var d overviewJSON
		if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	want := func(keep func(*report.Aggregate) bool) *report.Summary {
		s := &report.Summary{}
		for _, a := range fixture() {
			if keep(a) {
				s.Add(a)
			}
		}
		return s
	}
	all := want(func(*report.Aggregate) bool { return true })
	if got := overview(""); got.Total != all.Total {
		t.Errorf("total %+v, want %+v", got.Total, all.Total)
	}
	ex := want(func(a *report.Aggregate) bool { return a.Policy.Domain == "example.org" })
	got := overview("domain=example.org")
	if got.Total != ex.Total || got.Total == all.Total {
		t.Errorf("example.org total %+v, want %+v (and not all's %+v)", got.Total, ex.Total, all.Total)
	}
	for _, d := range got.Days {
		if c := ex.ByDay[d.Day]; c == nil || *c != d.Counts {
			t.Errorf("day %s: %+v, want %+v", d.Day, d.Counts, c)
		}
	}
	if len(got.Days) != len(ex.ByDay) {
		t.Errorf("%d days, want %d", len(got.Days), len(ex.ByDay))
	}
	// The failing sources, most failures first.
	if len(got.TopFailing) != 2 || got.TopFailing[0].IP != "203.0.113.9" {
		t.Errorf("top failing = %+v", got.TopFailing)
	}
	// A date filter keeps only its days.
	for _, d := range overview("domain=example.org&from=2025-03-03").Days {
		if d.Day < "2025-03-03" {
			t.Errorf("day %s outside the filter", d.Day)
		}
	}
}

// checkExportLimit fails t unless every table export of a report with
// records+1 failing sources stops at limit rows.
func checkExportLimit(t *testing.T, cfg Config, limit int) {
	t.Helper()
	a := &report.Aggregate{Metadata: report.Metadata{OrgName: "big", ReportID: "1",
		DateRange: report.DateRange{Begin: day(2025, 1, 1), End: day(2025, 1, 1).Add(time.Hour)}},
		Policy: report.PolicyPublished{Domain: "example.org"}}
	for i := range limit + 1 {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		a.Records = append(a.Records, rec(ip.String(), 1, report.DMARCResultFail, report.DMARCResultFail, "example.org"))
	}
	st, _ := openStore(t, a)
	cfg.Store = st
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for path, isCSV := range map[string]bool{"/api/sources.csv": true, "/api/report/1/rows.csv": true, "/api/report/1/rows": false, "/api/sources": false} {
		w := get(h, path)
		var n int
		if isCSV {
			rows, err := csv.NewReader(w.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			n = len(rows) - 1
		} else {
			var v []json.RawMessage
			if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			n = len(v)
		}
		if n != limit {
			t.Errorf("%s: %d rows, want %d", path, n, limit)
		}
	}
}

// TestExportRowsLimit: an export stops at Config.MaxRows rows.
func TestExportRowsLimit(t *testing.T) { checkExportLimit(t, Config{MaxRows: 7}, 7) }

// TestExportRowsAtDefaultLimit: an export stops at DefaultMaxRows rows.
// Storing 10,001 records takes a while under the race detector: skipped
// there and under -short (CI runs it without -race).
func TestExportRowsAtDefaultLimit(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("slow under -race and -short; run without them")
	}
	checkExportLimit(t, Config{}, DefaultMaxRows)
}

// deadStore is a store whose database does not answer.
type deadStore struct{ Store }

func (deadStore) Ping(context.Context) error { return errors.New("database is locked") }

// TestHealth: ok when the store answers, 503 when it does not.
func TestHealth(t *testing.T) {
	h, st := newTestHandler(t, Config{})
	if w := get(h, "/healthz"); w.Code != http.StatusOK || w.Body.String() != "ok\n" {
		t.Errorf("healthy: %d %q", w.Code, w.Body)
	}
	h, err := NewHandler(Config{Store: deadStore{st}})
	if err != nil {
		t.Fatal(err)
	}
	if w := get(h, "/healthz"); w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "locked") {
		t.Errorf("unhealthy: %d %q", w.Code, w.Body)
	}
}

// TestLastIngestOnEveryPage: every page shows the time of the last ingest.
func TestLastIngestOnEveryPage(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	for _, p := range []string{"/", "/source/192.0.2.1", "/report/1", "/report/42", "/login", "/?from=x"} {
		if body := get(h, p).Body.String(); !strings.Contains(body, "2026-01-02 03:04 UTC") {
			t.Errorf("%s: no last-ingest time", p)
		}
	}
}

// TestNoWriteEndpoints: nothing but the login and logout forms accepts a
// write method.
func TestNoWriteEndpoints(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	for _, p := range []string{"/", "/api/overview", "/report/1", "/api/report/1", "/source/192.0.2.1"} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, newRequest(m, p, strings.NewReader("x")))
			if w.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: status %d", m, p, w.Code)
			}
		}
	}
}

// TestServeGracefulShutdown: Serve answers on the address Listen opened
// and returns nil once its context is done.
func TestServeGracefulShutdown(t *testing.T) {
	st, _ := openStore(t, fixture()...)
	s, cancel, done := startServer(t, Config{Store: st, Listen: "127.0.0.1:0"})
	resp, err := http.Get(s.URL() + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health: %d", resp.StatusCode)
	}
	cancel()
	if err := serveResult(t, done, 15*time.Second); err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get(s.URL() + "healthz"); err == nil {
		t.Errorf("still answering after shutdown")
	}
}

// TestCharts: the charts fill the days without reports and stay within
// the drawing area.
func TestCharts(t *testing.T) {
	days := []store.DayCounts{
		{Day: "2025-03-01", Counts: report.Counts{Messages: 10, DMARCPass: 5, DMARCFail: 5}},
		{Day: "2025-03-04", Counts: report.Counts{Messages: 4, DMARCPass: 4}},
	}
	c := messagesChart(days)
	bars := map[string]int{}
	for _, b := range c.Bars {
		bars[b.Class]++
		if b.X < chartLeft || b.X+b.W > chartW-chartRight+0.01 || b.Y < chartTop-0.01 || b.Y+b.H > chartTop+plotH+0.01 {
			t.Errorf("bar %+v outside the plot", b)
		}
	}
	if bars["pass"] != 2 || bars["fail"] != 1 {
		t.Errorf("bars %v, want 2 pass and 1 fail", bars)
	}
	if got := c.XTicks[len(c.XTicks)-1].Label; got != "2025-03-04" {
		t.Errorf("last tick %q", got)
	}
	r := rateChart(days)
	// Two days with messages and two without between them: two dots, and
	// no line drawn across the gap.
	if len(r.Dots) != 2 || len(r.Lines) != 0 {
		t.Errorf("rate chart: %d dots, lines %q", len(r.Dots), r.Lines)
	}
	days = append(days, store.DayCounts{Day: "2025-03-05", Counts: report.Counts{Messages: 2, DMARCPass: 1}})
	if r := rateChart(days); len(r.Lines) != 1 || strings.Count(r.Lines[0], ",") != 2 {
		t.Errorf("rate chart over two consecutive days: lines %q", r.Lines)
	}
	if messagesChart(nil) != nil {
		t.Errorf("a chart of nothing")
	}
	for n, want := range map[uint64]string{0: "0", 1234: "1234", 12345: "12\u202f345", 1234567: "1\u202f234\u202f567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPTRNames: a source is named by its forward-confirmed PTR name only
// (RFC 8601 §2.7.3), and by the provider the sender map knows for it; a
// name that does not resolve back, or a hostile one, is not shown.
func TestPTRNames(t *testing.T) {
	z := zone.New()
	z.AddPTR(zone.ReverseName(netip.MustParseAddr("203.0.113.9")), "mail-ot1-f41.google.com")
	z.AddA("mail-ot1-f41.google.com", "203.0.113.9")
	z.AddPTR(zone.ReverseName(netip.MustParseAddr("198.51.100.7")), "liar.example.net")
	z.AddA("liar.example.net", "192.0.2.200")
	z.AddPTR(zone.ReverseName(netip.MustParseAddr("192.0.2.66")), "<b>x</b>.example")
	h, _ := newTestHandler(t, Config{Resolver: z})
	page := get(h, "/").Body.String()
	if !strings.Contains(page, "mail-ot1-f41.google.com") || !strings.Contains(page, "Google (Gmail") {
		t.Errorf("the overview does not name 203.0.113.9 mail-ot1-f41.google.com, a Google host")
	}
	if strings.Contains(page, "liar.example.net") || strings.Contains(page, "<b>") {
		t.Errorf("the overview shows an unconfirmed or hostile PTR name")
	}
	if body := get(h, "/source/203.0.113.9").Body.String(); !strings.Contains(body, "mail-ot1-f41.google.com") || !strings.Contains(body, "Google (Gmail") {
		t.Errorf("the source page does not show the PTR name and its provider")
	}
	if body := get(h, "/source/198.51.100.7").Body.String(); strings.Contains(body, "liar") {
		t.Errorf("the source page shows an unconfirmed PTR name")
	}
}

// stepClock advances one second at each reading.
type stepClock struct{ t *time.Time }

func (c stepClock) Now() time.Time { *c.t = c.t.Add(time.Second); return *c.t }

// countingStore counts the failing-sources queries, the costly ones.
type countingStore struct {
	Store
	failing int
}

func (c *countingStore) FailingSources(ctx context.Context, f store.Filter, limit int) ([]store.FailingSource, error) {
	c.failing++
	return c.Store.FailingSources(ctx, f, limit)
}

// TestOverviewCacheFollowsIngest: an overview is computed once per filter
// until something is ingested, and a new ingest shows.
func TestOverviewCacheFollowsIngest(t *testing.T) {
	ctx := context.Background()
	now := ingestTime
	st0, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"), store.Options{Clock: stepClock{&now}})
	if err != nil {
		t.Fatal(err)
	}
	defer st0.Close()
	reports := fixture()
	if _, err := st0.AddAggregate(ctx, reports[0], store.Source{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	st := &countingStore{Store: st0.(Store)}
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	messages := func() string {
		t.Helper()
		z := html.NewTokenizer(get(h, "/?domain=example.org").Body)
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tok := z.Token(); tok.Data == "dd" && slices.Contains(tok.Attr, html.Attribute{Key: "id", Val: "total-messages"}) {
				z.Next()
				return string(z.Text())
			}
		}
		t.Fatal("no #total-messages")
		return ""
	}
	first := messages()
	if again := messages(); again != first || st.failing != 1 {
		t.Errorf("second view: %s messages after %s, %d failing-source queries; want the cached answer", again, first, st.failing)
	}
	if _, err := st0.AddAggregate(ctx, reports[1], store.Source{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	if after := messages(); after == first || st.failing != 2 {
		t.Errorf("after an ingest: %s messages (before %s), %d queries; want new figures", after, first, st.failing)
	}
}

// TestDNSRebinding: on a loopback address the dashboard answers only to
// requests that name a loopback host, so that a page whose name an
// attacker pointed at 127.0.0.1 cannot read it; behind a token, the token
// protects and any host name may be used.
func TestDNSRebinding(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	for host, want := range map[string]int{
		"127.0.0.1:8080": http.StatusOK, "localhost:8080": http.StatusOK, "[::1]:8080": http.StatusOK, "LOCALHOST": http.StatusOK,
		"evil.example:8080": http.StatusMisdirectedRequest, "evil.example": http.StatusMisdirectedRequest,
		"127.0.0.1.nip.example": http.StatusMisdirectedRequest, "": http.StatusMisdirectedRequest,
	} {
		r := newRequest(http.MethodGet, "/api/overview", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %q: status %d, want %d", host, w.Code, want)
		}
	}
	hp, _ := newTestHandler(t, Config{Listen: "192.0.2.1:443", Token: testToken, BehindTLSProxy: true})
	r := newRequest(http.MethodGet, "/api/overview", nil)
	r.Host = "dmarc.example.org"
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	hp.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("behind a token, Host dmarc.example.org: status %d", w.Code)
	}
}
