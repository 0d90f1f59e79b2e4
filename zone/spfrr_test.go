package zone

import (
	"context"
	"testing"

	"github.com/domainauth/domainauth"
)

func TestLookupSPFRR(t *testing.T) {
	z, err := ParseString("@ 60 SPF \"v=spf1 \" \"-all\"\n@ 60 TXT \"v=spf1 -all\"\nother 60 TXT x", "example.org")
	if err != nil {
		t.Fatal(err)
	}
	got, err := z.LookupSPFRR(context.Background(), "example.org")
	if err != nil || len(got) != 1 || got[0] != "v=spf1 -all" {
		t.Errorf("LookupSPFRR = %q, %v", got, err)
	}
	if _, err := z.LookupSPFRR(context.Background(), "other.example.org"); !domainauth.IsNotFound(err) {
		t.Errorf("no SPF RR: %v, want not-found", err)
	}
}
