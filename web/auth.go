package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Names the login flow uses.
const (
	cookieName = "domainauth_session"
	// sessionMaxAge is the life of the login cookie.
	sessionMaxAge = 12 * time.Hour
	// maxLoginBody bounds the login form's body.
	maxLoginBody = 4 << 10
)

// urlTokenParams are query parameters that look like an attempt to pass a
// credential in the URL, which would leak it into logs, history and the
// Referer header: such a request is refused outright.
var urlTokenParams = []string{"token", "access_token", "auth", "key", "session"}

// gate enforces the access token: an "Authorization: Bearer" header or the
// session cookie the login form sets. The token is compared in constant
// time, through SHA-256 digests so that its length does not leak either.
type gate struct {
	enabled bool
	token   [32]byte // sha256 of the token
	session [32]byte // sha256 of the cookie value
	cookie  string   // the cookie value: an HMAC of the token, never the token
	secure  bool
}

func newGate(token string, secure bool) *gate {
	g := &gate{enabled: token != "", secure: secure}
	if !g.enabled {
		return g
	}
	g.token = sha256.Sum256([]byte(token))
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("domainauth dashboard session v1"))
	g.cookie = hex.EncodeToString(mac.Sum(nil))
	g.session = sha256.Sum256([]byte(g.cookie))
	return g
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
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && equal(strings.TrimSpace(v), g.token) {
		return true
	}
	if c, err := r.Cookie(cookieName); err == nil && equal(c.Value, g.session) {
		return true
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
