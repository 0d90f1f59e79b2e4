package ses

import (
	"strings"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// TestErrorsSayWhatToDo: every error a person can cause names what is wrong
// and what to do about it.
func TestErrorsSayWhatToDo(t *testing.T) {
	plan := func(edit func(id *Identity)) error {
		id := seedIdentity(t)
		edit(&id)
		_, err := id.Plan()
		return err
	}
	longTXT := zone.Route53RecordSet{Name: "x.example.", Type: "TXT",
		ResourceRecords: []zone.Route53ResourceRecord{{Value: `"` + strings.Repeat("a", 4000) + `"`}}}
	_, splitErr := SplitChanges("", []Change{{Action: "UPSERT", ResourceRecordSet: longTXT}})
	_, hzErr := NewHostedZoneRecords("example.org", nil)
	_, v2Err := IdentityFromSESv2("a@example.org", "us-east-1", []byte(`{"IdentityType": "EMAIL_ADDRESS"}`))
	_, regionErr := LookupRegion("ap-northeast-2a")

	tests := []struct {
		name string
		err  error
		want []string // each must appear
	}{
		{"bad domain", plan(func(id *Identity) { id.Domain = "a..b" }), []string{`Domain "a..b"`, "e.g. example.org", "("}},
		{"two tokens", plan(func(id *Identity) { id.EasyDKIMTokens = id.EasyDKIMTokens[:2] }), []string{"got 2", "copy all three"}},
		{"token with a zone", plan(func(id *Identity) { id.EasyDKIMTokens[0] += ".dkim.amazonses.com" }), []string{"one DNS label", "copy it"}},
		{"tokens and BYODKIM", plan(func(id *Identity) { id.BYODKIM = &BYODKIM{Selector: "s1", PublicKey: testKeyB64} }), []string{"not both"}},
		{"bad signing zone", plan(func(id *Identity) { id.SigningHostedZone = "a..b" }), []string{"SigningHostedZone", "copy"}},
		{"MAIL FROM outside", plan(func(id *Identity) { id.MailFrom = "mail.example.net" }), []string{"subdomain of example.org", "e.g. mail.example.org"}},
		{"bad reports", plan(func(id *Identity) { id.DMARC, id.DMARCReports = nil, "nobody" }), []string{"dmarc@example.org"}},
		{"TTL", plan(func(id *Identity) { id.TTL = 1 << 31 }), []string{"2147483647", "leave it 0"}},
		{"bad selector", plan(func(id *Identity) {
			id.EasyDKIMTokens, id.BYODKIM = nil, &BYODKIM{Selector: "a_b", PublicKey: testKeyB64}
		}), []string{"no dots or underscores", "e.g."}},
		{"empty key", plan(func(id *Identity) { id.EasyDKIMTokens, id.BYODKIM = nil, &BYODKIM{Selector: "s1"} }), []string{"openssl"}},
		{"bad key", plan(func(id *Identity) {
			id.EasyDKIMTokens, id.BYODKIM = nil, &BYODKIM{Selector: "s1", PublicKey: "not base64!"}
		}), []string{"not base64", "PEM"}},
		{"FACTS §2.3 BYODKIM key over 2048 bits", plan(func(id *Identity) {
			id.EasyDKIMTokens, id.BYODKIM = nil, &BYODKIM{Selector: "s1", PublicKey: testKey3072B64}
		}), []string{"3072-bit", "1024- to 2048-bit", "openssl genrsa"}},
		{"FACTS §2.3 BYODKIM Ed25519 record (RFC 8463 §4 example key)", plan(func(id *Identity) {
			id.EasyDKIMTokens, id.BYODKIM = nil, &BYODKIM{Selector: "s1", PublicKey: "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}
		}), []string{"RSA keys only", "openssl genrsa"}},
		{"feedback host unknown", plan(func(id *Identity) { id.Region, id.SigningHostedZone = "eusc-de-east-1", "dkim.example.test" }),
			[]string{"leave MailFrom empty"}},
		{"DKIM zone unknown", plan(func(id *Identity) { id.Region = "eusc-de-east-1" }), []string{"set SigningHostedZone"}},
		{"unknown region", regionErr, []string{`the region is "ap-northeast-2"`, "known regions: af-south-1"}},
		{"Route 53 value too long", splitErr, []string{"4000", "shorten"}},
		{"hosted zone without name servers", hzErr, []string{"get-hosted-zone"}},
		{"address identity", v2Err, []string{"plan the domain identity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			msg := tt.err.Error()
			if !strings.HasPrefix(msg, "ses: ") {
				t.Errorf("%q lacks the package prefix", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
		})
	}
}
