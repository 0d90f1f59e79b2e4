package ses

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIdentityJSON(t *testing.T) {
	id := seedIdentity(t)
	id.BehaviorOnMXFailure = MXFailureBehaviorRejectMessage
	id.TTL = 1800
	data, err := json.Marshal(id)
	if err != nil {
		t.Fatal(err)
	}
	var back Identity
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	p1, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	p2, err := back.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p1.BIND(), p2.BIND()); diff != "" || back.BehaviorOnMXFailure != MXFailureBehaviorRejectMessage {
		t.Errorf("round trip (-before +after):\n%s\n%s", diff, data)
	}
	b := Identity{Domain: "example.org", Region: "us-east-1", BYODKIM: &BYODKIM{Selector: "s1", PublicKey: testKeyB64}}
	data, _ = json.Marshal(b)
	var b2 Identity
	if err := json.Unmarshal(data, &b2); err != nil || b2.BYODKIM == nil || b2.BYODKIM.PublicKey != testKeyB64 {
		t.Errorf("BYODKIM round trip: %v %s", err, data)
	}
	var ie *IdentityError
	if err := json.Unmarshal([]byte(`{"dmarc": "v=spf1 -all"}`), &b2); !errors.As(err, &ie) || ie.Field != "DMARC" {
		t.Errorf("bad DMARC: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"behaviorOnMxFailure": "Bounce"}`), &b2); !errors.As(err, &ie) {
		t.Errorf("bad behaviour: %v", err)
	}
	if err := json.Unmarshal([]byte(`[`), &b2); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestIdentityFromSESv2(t *testing.T) {
	const resp = `{"IdentityType": "DOMAIN", "FeedbackForwardingStatus": true, "VerifiedForSendingStatus": true,
	  "DkimAttributes": {"SigningEnabled": true, "Status": "SUCCESS", "Tokens": ["ee3iyktt6a52swhlzrcnadeiwwa27oo6",
	    "hleoy2vma4pcnkbbyeekmttjnef4mcgf", "b743qnjojiphl56mvjxi2ietqlhb774b"], "SigningAttributesOrigin": "AWS_SES",
	    "SigningHostedZone": "dkim.amazonses.com", "CurrentSigningKeyLength": "RSA_2048_BIT"},
	  "MailFromAttributes": {"MailFromDomain": "mail.example.org", "MailFromDomainStatus": "SUCCESS", "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"},
	  "Tags": []}`
	id, err := IdentityFromSESv2("example.org", "ap-northeast-2", []byte(resp))
	if err != nil {
		t.Fatal(err)
	}
	id.DMARC = mustDMARC(t, seedDMARC)
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if p.BIND() != seedBIND {
		t.Errorf("plan from GetEmailIdentity:\n%s", p.BIND())
	}
	id, err = IdentityFromSESv2("example.org", "us-east-1", []byte(`{"DkimAttributes": {"SigningAttributesOrigin": "EXTERNAL", "Tokens": ["sel1"]},
	  "MailFromAttributes": {"MailFromDomain": "m.example.org", "BehaviorOnMxFailure": "REJECT_MESSAGE"}}`))
	if err != nil || id.BYODKIM == nil || id.BYODKIM.Selector != "sel1" || id.BehaviorOnMXFailure != MXFailureBehaviorRejectMessage {
		t.Errorf("BYODKIM: %+v %v", id, err)
	}
	// FACTS §2.4: a DEED replica uses its parent's records, so it plans
	// those (in the parent region's signing zone) and still signs d=domain.
	id, err = IdentityFromSESv2("example.org", "us-east-1", []byte(`{"DkimAttributes": {"SigningAttributesOrigin": "AWS_SES_AF_SOUTH_1",
	  "Tokens": ["ee3iyktt6a52swhlzrcnadeiwwa27oo6", "hleoy2vma4pcnkbbyeekmttjnef4mcgf", "b743qnjojiphl56mvjxi2ietqlhb774b"]}}`))
	if err != nil || len(id.EasyDKIMTokens) != 3 || id.SigningHostedZone != "dkim.af-south-1.amazonses.com" {
		t.Errorf("DEED replica: %+v %v", id, err)
	}
	id.DMARC = mustDMARC(t, seedDMARC)
	if p, err := id.Plan(); err != nil || len(p.Records) != 4 || p.Records[0].Target != seedTokens[0]+".dkim.af-south-1.amazonses.com" ||
		len(p.Findings) != 0 || p.Alignment.Verdict != VerdictPassDKIMOnly {
		t.Errorf("DEED replica plan: %+v %v", p, err)
	}
	for _, bad := range []string{`{`, `{"IdentityType": "EMAIL_ADDRESS"}`, `{"MailFromAttributes": {"MailFromDomain": "m.example.org", "BehaviorOnMxFailure": "X"}}`} {
		if _, err := IdentityFromSESv2("example.org", "us-east-1", []byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// FuzzIdentityJSON: an identity that reads writes back to JSON that reads to
// the same identity.
func FuzzIdentityJSON(f *testing.F) {
	f.Add([]byte(`{"domain": "example.org", "region": "ap-northeast-2", "easyDkimTokens": ["a", "b", "c"], "mailFrom": "mail.example.org", "dmarc": "v=DMARC1; p=none; rua=mailto:d@example.org"}`))
	f.Add([]byte(`{"domain": "x", "byodkim": {"selector": "s", "publicKey": "p=abc"}, "behaviorOnMxFailure": "REJECT_MESSAGE", "ttl": 5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var id Identity
		if err := json.Unmarshal(data, &id); err != nil {
			return
		}
		out, err := json.Marshal(id)
		if err != nil {
			t.Fatal(err)
		}
		var back Identity
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-read %s: %v", out, err)
		}
		out2, _ := json.Marshal(back)
		if string(out) != string(out2) {
			t.Fatalf("round trip:\n%s\n%s", out, out2)
		}
		id.Plan() // must not panic
		IdentityFromSESv2(id.Domain, id.Region, data)
	})
}

// FuzzIdentityFromSESv2: any GetEmailIdentity response either gives a clear
// error or an Identity whose plan can be attempted, never a panic; and an
// Identity that plans gives records that all lie under its domain.
func FuzzIdentityFromSESv2(f *testing.F) {
	f.Add([]byte(`{"IdentityType": "DOMAIN", "DkimAttributes": {"Tokens": ["ee3iyktt6a52swhlzrcnadeiwwa27oo6"], "SigningHostedZone": "dkim.amazonses.com"}, "MailFromAttributes": {"MailFromDomain": "mail.example.org", "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"}}`))
	f.Add([]byte(`{"DkimAttributes": {"SigningAttributesOrigin": "EXTERNAL", "Tokens": ["sel1"]}, "MailFromAttributes": {"MailFromDomain": "m.example.org", "BehaviorOnMxFailure": "REJECT_MESSAGE"}}`))
	f.Add([]byte(`{"IdentityType": "EMAIL_ADDRESS"}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, resp []byte) {
		id, err := IdentityFromSESv2("example.org", "ap-northeast-2", resp)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		p, err := id.Plan()
		if err != nil {
			return
		}
		for _, r := range p.RRs() {
			if !strings.HasSuffix(strings.TrimSuffix(r.Name, "."), "example.org") {
				t.Fatalf("planned record %q outside the identity's domain", r.Name)
			}
		}
	})
}
