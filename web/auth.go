package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Names the login flow uses.
const (
	cookieName = "domainauth_session"
	// sessionMaxAge is the life of a login session (and of its cookie).
	sessionMaxAge = 12 * time.Hour
	// maxLoginBody bounds the login form's body.
	maxLoginBody = 4 << 10
)

// urlTokenParams are query parameters that look like an attempt to pass a
// credential in the URL, which would leak it into logs, history and the
// Referer header: such a request is refused outright.
var urlTokenParams = []string{"token", "access_token", "auth", "key", "session"}

// gate enforces the access token: an "Authorization: Bearer" header or the
// cookie of a session the login form opened. The token is compared in
// constant time, through SHA-256 digests so that its length does not leak
// either.
//
// A session cookie is a random id and an HMAC of it under a key drawn
// when the process starts: it says nothing of the token, a restart
// revokes every session, and a cookie the server did not issue fails the
// HMAC check (constant time) before any lookup. The sessions issued are
// kept in memory with their expiry, at most maxSessions of them (when
// full, the expired ones go, then the oldest), so that logging out ends
// the session on the server, not only in the browser.
type gate struct {
	enabled bool
	token   [32]byte // sha256 of the token
	secure  bool
	key     [32]byte // the session HMAC key, random per process
	// now is the clock of the sessions' expiry (time.Now; tests set it).
	now         func() time.Time
	maxSessions int

	mu       sync.Mutex
	sessions map[[sessionIDLen]byte]time.Time // id -> expiry
	// checks is the bucket of token checks (see takeCheck), refilled at
	// tokenChecksPerSecond up to tokenCheckBurst; checked is when it
	// was last refilled.
	checks  float64
	checked time.Time
}

// Bounds on guessing the token: a check of a token given by the login
// form or a Bearer header takes one from a bucket of tokenCheckBurst,
// refilled at tokenChecksPerSecond, and a correct token gives it back.
// With the bucket empty, a token is refused before it is compared, so
// wrong tokens are tried at one a second at most, however many
// connections try them (and while they are tried, logging in waits too:
// open sessions are not affected).
const (
	tokenCheckBurst      = 10
	tokenChecksPerSecond = 1.0
)

// takeCheck takes a token check from the bucket; false when it is empty.
func (g *gate) takeCheck() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if g.checked.IsZero() {
		g.checks = tokenCheckBurst
	} else if d := now.Sub(g.checked); d > 0 {
		g.checks = min(tokenCheckBurst, g.checks+d.Seconds()*tokenChecksPerSecond)
	}
	g.checked = now
	if g.checks < 1 {
		return false
	}
	g.checks--
	return true
}

// returnCheck gives a check back: the token was right.
func (g *gate) returnCheck() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.checks = min(tokenCheckBurst, g.checks+1)
}

// checkToken compares a token given by the client with the gate's,
// within the bounds on guessing: errTooManyGuesses when the bucket is
// empty.
func (g *gate) checkToken(token string) (bool, error) {
	if !g.takeCheck() {
		return false, errTooManyGuesses
	}
	if equal(token, g.token) {
		g.returnCheck()
		return true, nil
	}
	return false, nil
}

// errTooManyGuesses: wrong tokens came faster than the bound allows.
var errTooManyGuesses = errors.New("too many wrong tokens: wait a few seconds, then try again")

// sessionIDLen is the length of a session id, in bytes.
const sessionIDLen = 32

func newGate(token string, secure bool, maxSessions int) *gate {
	g := &gate{enabled: token != "", secure: secure, now: time.Now, maxSessions: maxSessions}
	if !g.enabled {
		return g
	}
	g.token = sha256.Sum256([]byte(token))
	rand.Read(g.key[:]) // never fails (crypto/rand)
	g.sessions = make(map[[sessionIDLen]byte]time.Time)
	return g
}

// mac is the HMAC of a session id under the process's key.
func (g *gate) mac(id []byte) []byte {
	m := hmac.New(sha256.New, g.key[:])
	m.Write([]byte("domainauth dashboard session v2\x00"))
	m.Write(id)
	return m.Sum(nil)
}

// newSession opens a session and returns its cookie value: the id and
// its HMAC, in hex.
func (g *gate) newSession() string {
	var id [sessionIDLen]byte
	rand.Read(id[:])
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.sessions) >= g.maxSessions {
		for k, exp := range g.sessions {
			if !now.Before(exp) {
				delete(g.sessions, k)
			}
		}
	}
	for len(g.sessions) >= g.maxSessions {
		var oldest [sessionIDLen]byte
		var at time.Time
		for k, exp := range g.sessions {
			if at.IsZero() || exp.Before(at) {
				oldest, at = k, exp
			}
		}
		delete(g.sessions, oldest)
	}
	g.sessions[id] = now.Add(sessionMaxAge)
	return hex.EncodeToString(id[:]) + hex.EncodeToString(g.mac(id[:]))
}

// session returns the id of the live session the cookie value names.
func (g *gate) session(v string) ([sessionIDLen]byte, bool) {
	var id [sessionIDLen]byte
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != sessionIDLen+sha256.Size {
		return id, false
	}
	if !hmac.Equal(b[sessionIDLen:], g.mac(b[:sessionIDLen])) {
		return id, false
	}
	copy(id[:], b)
	g.mu.Lock()
	defer g.mu.Unlock()
	exp, ok := g.sessions[id]
	if ok && !g.now().Before(exp) {
		delete(g.sessions, id)
		ok = false
	}
	return id, ok
}

// endSession revokes the session of r's cookie, if any.
func (g *gate) endSession(r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil || !g.enabled {
		return
	}
	if id, ok := g.session(c.Value); ok {
		g.mu.Lock()
		delete(g.sessions, id)
		g.mu.Unlock()
	}
}

// equal compares s with the digest d in constant time.
func equal(s string, d [32]byte) bool {
	h := sha256.Sum256([]byte(s))
	return subtle.ConstantTimeCompare(h[:], d[:]) == 1
}

// allowed reports whether r carries the token or a valid session cookie.
func (g *gate) allowed(r *http.Request) bool {
	if !g.enabled {
		return true
	}
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		if right, _ := g.checkToken(strings.TrimSpace(v)); right {
			return true
		}
	}
	if c, err := r.Cookie(cookieName); err == nil {
		_, ok := g.session(c.Value)
		return ok
	}
	return false
}

// tokenInURL reports whether the query carries a credential-like parameter.
func tokenInURL(u *url.URL) bool {
	q := u.Query()
	for _, p := range urlTokenParams {
		if q.Has(p) {
			return true
		}
	}
	return false
}

// sameOrigin is the CSRF check of the state-changing requests (the login
// and logout forms): a browser sends Sec-Fetch-Site or Origin with a POST;
// either must name this site. A request with neither comes from a
// non-browser client, which cannot be made to send a cross-site request.
func sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" {
		return s == "same-origin" || s == "none"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (g *gate) setCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: g.secure, SameSite: http.SameSiteStrictMode,
	})
}
