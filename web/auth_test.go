package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// sessionHandler returns a handler with a token, and the time its
// sessions' clock reads, which the test moves (the requests run on the
// test's goroutine).
func sessionHandler(t *testing.T, cfg Config) (*handler, *time.Time) {
	t.Helper()
	cfg.Token = testToken
	hh, _ := newTestHandler(t, cfg)
	h := hh.(*handler)
	now := ingestTime
	h.gate.now = func() time.Time { return now }
	return h, &now
}

// login logs in and returns the session cookie as a Cookie header value.
func login(t *testing.T, h http.Handler) string {
	t.Helper()
	w := postLogin(h, testToken, "Sec-Fetch-Site", "same-origin")
	cs := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cs) != 1 || cs[0].Name != cookieName || cs[0].Value == "" {
		t.Fatalf("login: status %d, cookies %v", w.Code, cs)
	}
	return cs[0].Name + "=" + cs[0].Value
}

// opens reports whether the cookie opens the overview.
func opens(h http.Handler, cookie string) bool {
	return get(h, "/", "Cookie", cookie).Code == http.StatusOK
}

// TestLogoutRevokesSession: after logging out, the session's cookie opens
// nothing, even replayed by a client that kept it; another session lives
// on; and each login gets its own cookie, holding nothing of the token.
func TestLogoutRevokesSession(t *testing.T) {
	h, _ := sessionHandler(t, Config{})
	a, b := login(t, h), login(t, h)
	if a == b {
		t.Fatalf("two logins got the same cookie")
	}
	if strings.Contains(a, testToken) {
		t.Errorf("the cookie holds the token")
	}
	if !opens(h, a) || !opens(h, b) {
		t.Fatalf("a fresh session does not open the overview")
	}
	r := newRequest(http.MethodPost, "/logout", nil)
	r.Header.Set("Cookie", a)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("logout: status %d", w.Code)
	}
	if cs := w.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Errorf("logout: cookies %v, want the session cookie cleared", cs)
	}
	if opens(h, a) {
		t.Errorf("the logged-out session's cookie, replayed, still opens the overview")
	}
	if w := get(h, "/api/overview", "Cookie", a); w.Code != http.StatusUnauthorized {
		t.Errorf("the logged-out session's cookie on the API: status %d", w.Code)
	}
	if !opens(h, b) {
		t.Errorf("logging one session out ended another")
	}
}

// TestSessionCookieChecks: a cookie that the server did not issue (a
// forged id, a valid id with a broken HMAC, the cookie of another server
// process with the same token) opens nothing.
func TestSessionCookieChecks(t *testing.T) {
	h, _ := sessionHandler(t, Config{})
	c := login(t, h)
	v := strings.TrimPrefix(c, cookieName+"=")
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] = "01"[map[bool]int{true: 1}[b[i] == '0']]
		return string(b)
	}
	restarted, _ := sessionHandler(t, Config{})
	for name, tc := range map[string]struct {
		h      http.Handler
		cookie string
	}{
		"id changed":      {h, cookieName + "=" + flip(v, 0)},
		"HMAC changed":    {h, cookieName + "=" + flip(v, len(v)-1)},
		"truncated":       {h, cookieName + "=" + v[:len(v)-2]},
		"not hex":         {h, cookieName + "=" + strings.Repeat("zz", len(v)/2)},
		"after a restart": {restarted, c},
		"all zeros":       {h, cookieName + "=" + strings.Repeat("0", len(v))},
	} {
		if opens(tc.h, tc.cookie) {
			t.Errorf("%s: the cookie opens the overview", name)
		}
	}
	if !opens(h, c) {
		t.Errorf("the issued cookie does not open the overview")
	}
}

// TestSessionExpiry: a session ends sessionMaxAge after the login, on the
// server, whatever the browser keeps.
func TestSessionExpiry(t *testing.T) {
	h, clock := sessionHandler(t, Config{})
	c := login(t, h)
	*clock = clock.Add(sessionMaxAge - time.Second)
	if !opens(h, c) {
		t.Fatalf("the session ended before its time")
	}
	*clock = clock.Add(time.Second)
	if opens(h, c) {
		t.Errorf("the session still opens the overview %v after the login", sessionMaxAge)
	}
	if n := len(h.gate.sessions); n != 0 {
		t.Errorf("%d sessions kept after the only one expired", n)
	}
}

// TestSessionBound: at the default bound, one more login ends the oldest
// session, and the server keeps no more than the bound; expired sessions
// make room first.
func TestSessionBound(t *testing.T) {
	h, clock := sessionHandler(t, Config{})
	first := login(t, h)
	*clock = clock.Add(time.Second)
	second := login(t, h)
	for range DefaultMaxSessions - 2 {
		*clock = clock.Add(time.Millisecond)
		login(t, h)
	}
	if n := len(h.gate.sessions); n != DefaultMaxSessions {
		t.Fatalf("%d sessions kept, want %d", n, DefaultMaxSessions)
	}
	if !opens(h, first) {
		t.Fatalf("the first session ended before the bound was reached")
	}
	last := login(t, h) // one past the bound
	if n := len(h.gate.sessions); n != DefaultMaxSessions {
		t.Errorf("%d sessions kept past the bound, want %d", n, DefaultMaxSessions)
	}
	if opens(h, first) {
		t.Errorf("the oldest session survived a login past the bound")
	}
	if !opens(h, second) || !opens(h, last) {
		t.Errorf("a login past the bound ended a session other than the oldest")
	}

	// Expired sessions go first: with a reduced bound of 2, one expired.
	h, clock = sessionHandler(t, Config{MaxSessions: 2})
	old := login(t, h)
	*clock = clock.Add(sessionMaxAge / 2)
	live := login(t, h)
	*clock = clock.Add(sessionMaxAge / 2)
	login(t, h)
	if opens(h, old) || !opens(h, live) || len(h.gate.sessions) != 2 {
		t.Errorf("with one session expired, a login at the bound kept %d sessions (old opens: %v, live opens: %v)",
			len(h.gate.sessions), opens(h, old), opens(h, live))
	}
}

// TestReloginReplacesSession: logging in again with a session's cookie
// ends that session, so that repeated logins do not pile up sessions.
func TestReloginReplacesSession(t *testing.T) {
	h, _ := sessionHandler(t, Config{})
	old := login(t, h)
	w := postLogin(h, testToken, "Sec-Fetch-Site", "same-origin", "Cookie", old)
	cs := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cs) != 1 {
		t.Fatalf("login again: status %d, cookies %v", w.Code, cs)
	}
	if opens(h, old) {
		t.Error("the session logged in over still opens the overview")
	}
	if !opens(h, cs[0].Name+"="+cs[0].Value) {
		t.Error("the new session does not open the overview")
	}
	h.gate.mu.Lock()
	n := len(h.gate.sessions)
	h.gate.mu.Unlock()
	if n != 1 {
		t.Errorf("%d sessions kept, want 1", n)
	}
}

// TestTokenGuessesBounded: past tokenCheckBurst wrong tokens, a token
// (even the right one) is refused before it is compared, by the form
// (429) and in a Bearer header (401), until the bucket refills at
// tokenChecksPerSecond; right tokens do not drain it.
func TestTokenGuessesBounded(t *testing.T) {
	h, now := sessionHandler(t, Config{})
	for range 3 * tokenCheckBurst {
		login(t, h) // right tokens give their check back
	}
	for i := range tokenCheckBurst {
		if w := postLogin(h, "wrong-wrong-wrong-wrong", "Sec-Fetch-Site", "same-origin"); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: status %d", i+1, w.Code)
		}
	}
	w := postLogin(h, testToken, "Sec-Fetch-Site", "same-origin")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || len(w.Result().Cookies()) != 0 {
		t.Errorf("the right token after %d wrong ones: status %d, cookies %v; want 429 and none", tokenCheckBurst, w.Code, w.Result().Cookies())
	}
	if w := get(h, "/api/overview", "Authorization", "Bearer "+testToken); w.Code != http.StatusUnauthorized {
		t.Errorf("Bearer with the bucket empty: status %d, want 401", w.Code)
	}
	*now = now.Add(time.Duration(float64(time.Second) / tokenChecksPerSecond))
	if w := get(h, "/api/overview", "Authorization", "Bearer "+testToken); w.Code != http.StatusOK {
		t.Errorf("Bearer a check later: status %d, want 200", w.Code)
	}
	login(t, h)
}

// TestLoginBodyBounded: a login form body of maxLoginBody bytes is read
// (a wrong token: 401); one byte more is refused unread (400).
func TestLoginBodyBounded(t *testing.T) {
	h, _ := newTestHandler(t, Config{Token: testToken})
	filler := maxLoginBody - len("token=")
	cases := []struct {
		name   string
		token  string
		status int
	}{
		{"at the bound", strings.Repeat("x", filler), http.StatusUnauthorized},
		{"one byte past the bound", strings.Repeat("x", filler+1), http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if w := postLogin(h, tc.token); w.Code != tc.status {
				t.Errorf("a body of %d bytes: status %d, want %d", len("token=")+len(tc.token), w.Code, tc.status)
			}
		})
	}
}
