package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ingestCounter counts the calls of LastIngest.
type ingestCounter struct {
	Store
	calls atomic.Int32
}

func (s *ingestCounter) LastIngest(ctx context.Context) (time.Time, error) {
	s.calls.Add(1)
	return s.Store.LastIngest(ctx)
}

// TestLoginPageShowsNoStoreData: before logging in, the login form (and
// its answer to a wrong token) shows nothing the store holds, not even
// the last ingest time, and does not ask the store; once logged in, the
// same page shows it.
func TestLoginPageShowsNoStoreData(t *testing.T) {
	st, _ := openStore(t, fixture()...)
	counter := &ingestCounter{Store: st}
	h, err := NewHandler(Config{Store: counter, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	const shown = "2026-01-02 03:04 UTC"
	for name, w := range map[string]*httptest.ResponseRecorder{
		"login form":  get(h, "/login"),
		"wrong token": postLogin(h, "wrong-wrong-wrong-wrong"),
	} {
		body := w.Body.String()
		if !strings.Contains(body, `name="token"`) {
			t.Fatalf("%s: no login form in %q", name, body)
		}
		for _, leak := range []string{shown, "Last ingest", "example.org", "Log out"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: the unauthenticated page shows %q", name, leak)
			}
		}
	}
	if n := counter.calls.Load(); n != 0 {
		t.Errorf("the unauthenticated login form asked the store for the last ingest %d times", n)
	}
	if body := get(h, "/login", "Authorization", "Bearer "+testToken).Body.String(); !strings.Contains(body, shown) {
		t.Errorf("logged in, the login page does not show the last ingest")
	}
	if body := get(h, "/", "Authorization", "Bearer "+testToken).Body.String(); !strings.Contains(body, shown) || !strings.Contains(body, "Log out") {
		t.Errorf("logged in, the overview does not show the last ingest and the log-out button")
	}
}
