package domainauth_test

import (
	"encoding/json"
	"testing"

	"github.com/domainauth/domainauth"
)

func TestFindingJSONAndString(t *testing.T) {
	f := domainauth.Finding{Code: "spf.pass-all", Severity: domainauth.SeverityError, Message: "+all lets anyone send", Where: "example.org", RFC: "RFC 7208 §5.1"}
	if got, want := f.String(), "error spf.pass-all (example.org): +all lets anyone send [RFC 7208 §5.1]"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"code":"spf.pass-all","severity":"error","message":"+all lets anyone send","where":"example.org","rfc":"RFC 7208 §5.1"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back domainauth.Finding
	if err := json.Unmarshal(b, &back); err != nil || back != f {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	var s domainauth.Severity
	if err := s.UnmarshalText([]byte("fatal")); err == nil {
		t.Error("unknown severity accepted")
	}
	if domainauth.Severity(7).String() != "severity(7)" {
		t.Error("unknown severity string")
	}
}
