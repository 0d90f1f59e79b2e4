package domainauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHTTPFetcher(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/policy", http.StatusFound)
		case "/policy":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("version: STSv1\nmode: enforce\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client := srv.Client()
	followed := 0
	client.CheckRedirect = func(*http.Request, []*http.Request) error { followed++; return nil }
	f := HTTPFetcher(client)
	ctx := context.Background()

	res, err := f.Fetch(ctx, srv.URL+"/policy", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.ContentType != "text/plain" || !strings.HasPrefix(string(res.Body), "version: STSv1") || res.Truncated {
		t.Errorf("policy: %+v", res)
	}
	if len(res.PeerCertificates) == 0 || len(res.VerifiedChains) == 0 {
		t.Error("policy: no peer certificates or verified chains")
	}

	// RFC 8461 §3.3: redirects are not followed, whatever the client says.
	res, err = f.Fetch(ctx, srv.URL+"/redirect", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusFound || res.Location != "/policy" || followed != 0 {
		t.Errorf("redirect: status %d location %q, followed %d times", res.StatusCode, res.Location, followed)
	}
	if client.CheckRedirect == nil {
		t.Error("the caller's client was modified")
	}

	res, err = f.Fetch(ctx, srv.URL+"/policy", 7)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != "version" || !res.Truncated {
		t.Errorf("limit 7: body %q truncated %v", res.Body, res.Truncated)
	}

	if _, err := f.Fetch(ctx, strings.Replace(srv.URL, "https:", "http:", 1)+"/policy", 1000); !errors.Is(err, ErrNotHTTPS) {
		t.Errorf("http URL: err = %v, want ErrNotHTTPS", err)
	}
}
