package ses

import (
	"encoding/json"
	"github.com/domainauth/domainauth/internal/shared"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readFacts returns reference/ses/FACTS.md, skipping the test when the
// shared reference directory is absent.
func readFacts(t *testing.T) string {
	t.Helper()
	dir := sharedDir(t)
	if dir == "" {
		shared.Skip(t, "../shared not present: no FACTS.md cross-check")
	}
	data, err := os.ReadFile(filepath.Join(dir, "reference", "ses", "FACTS.md"))
	if err != nil {
		shared.Skip(t, "FACTS.md not available: %v", err)
	}
	return string(data)
}

// factsRow is one row of the FACTS.md §1.2 region table.
type factsRow struct {
	code, name, dkim, mx, smtp, evidence string
}

var regionCodeRE = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]$`)

// factsRegionTable parses the FACTS.md §1.2 table: rows whose first cell is
// a region code.
func factsRegionTable(t *testing.T, facts string) []factsRow {
	t.Helper()
	var rows []factsRow
	for line := range strings.SplitSeq(facts, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 6 || !regionCodeRE.MatchString(cells[0]) {
			continue
		}
		rows = append(rows, factsRow{cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]})
	}
	if len(rows) == 0 {
		t.Fatal("FACTS.md: no region table rows found (has §1.2 changed shape?)")
	}
	return rows
}

var tickRE = regexp.MustCompile("`([^`]*)`")

// ticked returns the backticked values of a cell, in order.
func ticked(cell string) []string {
	var out []string
	for _, m := range tickRE.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestRegionTableMatchesFACTS checks every value of the region table, and
// its confidence, against the table of FACTS.md §1.2 and its evidence codes
// (D = SES Developer Guide, R = third-party copy of the General Reference,
// P = pattern only, "inferred" and UNCONFIRMED = guesses). A value FACTS.md
// marks as a pattern or a guess must never be Confirmed, so that the plan
// reports it; a documented or copied value must be.
func TestRegionTableMatchesFACTS(t *testing.T) {
	rows := factsRegionTable(t, readFacts(t))
	var codes []string
	for _, row := range rows {
		codes = append(codes, row.code)
		t.Run(row.code, func(t *testing.T) {
			r, err := LookupRegion(row.code)
			if err != nil {
				t.Fatal(err)
			}
			if r.Name != row.name {
				t.Errorf("name %q, FACTS %q", r.Name, row.name)
			}

			// DKIM zone.
			switch v := ticked(row.dkim); {
			case len(v) == 0:
				if r.DKIMZone.Known() || r.DKIMZone.Confidence != ConfidenceUnknown {
					t.Errorf("DKIM zone %+v, FACTS: unknown", r.DKIMZone)
				}
			default:
				if r.DKIMZone.Value != v[0] {
					t.Errorf("DKIM zone %q, FACTS %q", r.DKIMZone.Value, v[0])
				}
				guess := strings.Contains(row.dkim, "inferred") || strings.Contains(row.dkim, "UNCONFIRMED")
				if guess && r.DKIMZone.Confidence != ConfidenceUnconfirmed || !guess && !r.DKIMZone.Confidence.Confirmed() {
					t.Errorf("DKIM zone confidence %v; FACTS: %s", r.DKIMZone.Confidence, row.dkim)
				}
				// The regional zone names come from third-party copies of
				// the General Reference; the Developer Guide only says that
				// Cape Town, Osaka and Milan have one (FACTS §1.2 notes 2, 4).
				if v[0] != DefaultDKIMZone && r.DKIMZone.Confidence != ConfidenceThirdParty {
					t.Errorf("regional DKIM zone confidence %v, want third-party", r.DKIMZone.Confidence)
				}
			}

			// MAIL FROM MX: "10 feedback-smtp.<region>.amazonses.com".
			switch v := ticked(row.mx); {
			case len(v) == 0:
				if r.FeedbackHost.Known() || r.FeedbackHost.Confidence != ConfidenceUnknown {
					t.Errorf("feedback host %+v, FACTS: unknown", r.FeedbackHost)
				}
			default:
				host, ok := strings.CutPrefix(v[0], "10 ")
				if !ok || r.FeedbackHost.Value != host {
					t.Errorf("feedback host %q, FACTS %q", r.FeedbackHost.Value, v[0])
				}
				var want Confidence
				switch {
				case strings.Contains(row.mx, "(P)"):
					want = ConfidencePattern
				case regexp.MustCompile(`^(MX )?D([.,;]|$)`).MatchString(row.evidence):
					want = ConfidenceDocumented // the 2022 Developer Guide table
				case strings.Contains(row.evidence, "MX seen"):
					want = ConfidenceObserved
				default:
					t.Fatalf("test does not know the evidence %q", row.evidence)
				}
				if r.FeedbackHost.Confidence != want {
					t.Errorf("feedback host confidence %v, want %v (FACTS: %s; %s)", r.FeedbackHost.Confidence, want, row.mx, row.evidence)
				}
			}

			// SMTP endpoint, and the FIPS one in parentheses.
			v := slices.DeleteFunc(ticked(row.smtp), func(s string) bool { return !strings.HasSuffix(s, ".amazonaws.com") })
			switch {
			case len(v) == 0:
				if r.SMTPEndpoint.Known() || r.SMTPEndpoint.Confidence != ConfidenceUnknown {
					t.Errorf("SMTP endpoint %+v, FACTS: %s", r.SMTPEndpoint, row.smtp)
				}
			default:
				if r.SMTPEndpoint.Value != v[0] {
					t.Errorf("SMTP endpoint %q, FACTS %q", r.SMTPEndpoint.Value, v[0])
				}
				var ok bool
				switch c := r.SMTPEndpoint.Confidence; {
				case strings.Contains(row.smtp, "UNCONFIRMED"):
					ok = c == ConfidenceUnconfirmed
				case strings.Contains(row.smtp, "(P"):
					ok = c == ConfidencePattern
				case regexp.MustCompile(`(^|[ ;,])R($|[ .;,])`).MatchString(row.evidence):
					ok = c == ConfidenceThirdParty
				default: // eu-south-1: AWS's own SMTP_REGIONS script
					ok = c.Confirmed()
				}
				if !ok {
					t.Errorf("SMTP endpoint confidence %v; FACTS: %s; %s", r.SMTPEndpoint.Confidence, row.smtp, row.evidence)
				}
			}
			if len(v) > 1 {
				if r.SMTPFIPSEndpoint.Value != v[1] || r.SMTPFIPSEndpoint.Confidence != r.SMTPEndpoint.Confidence {
					t.Errorf("FIPS SMTP endpoint %+v, FACTS %q", r.SMTPFIPSEndpoint, v[1])
				}
			} else if r.SMTPFIPSEndpoint.Known() {
				t.Errorf("FIPS SMTP endpoint %+v, FACTS: none", r.SMTPFIPSEndpoint)
			}

			// Default MAIL FROM (FACTS §3.5): observed for us-east-1 and
			// eu-west-1 only, unconfirmed elsewhere, unknown for the
			// sovereign cloud whose host names may use another suffix.
			want := Fact{row.code + ".amazonses.com", ConfidenceUnconfirmed}
			switch row.code {
			case "us-east-1":
				want = Fact{"amazonses.com", ConfidenceObserved}
			case "eu-west-1":
				want.Confidence = ConfidenceObserved
			case "eusc-de-east-1":
				want = Fact{}
			}
			if r.DefaultMailFrom != want {
				t.Errorf("default MAIL FROM %+v, want %+v", r.DefaultMailFrom, want)
			}
		})
	}
	slices.Sort(codes)
	if !slices.Equal(codes, RegionCodes()) {
		t.Errorf("region codes differ from FACTS.md:\n table %q\n FACTS %q", RegionCodes(), codes)
	}
}

// TestFACTSSmallPrint checks the other numbers FACTS.md states that the
// package encodes.
func TestFACTSSmallPrint(t *testing.T) {
	facts := readFacts(t)
	for _, s := range []string{
		// §5.1 sandbox limits.
		"At most **200 messages per 24-hour period**", "At most **1 message per second**",
		// §7.1 Route 53 per-request limits, UPSERT counting double.
		"at most 1000 `ResourceRecord` elements and at most 32,000 characters across all `Value`s per request",
		"**With `UPSERT`, each element and each character counts twice**",
		"`Value` is ≤ 4000 chars",
		// §7.4 new hosted zone.
		"NS RRset TTL = **172800**, SOA RRset TTL = **900**",
		"awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
		// §3.1 MAIL FROM records.
		"`\"v=spf1 include:amazonses.com ~all\"`", "`10 feedback-smtp.<region>.amazonses.com`",
		// §6.6 suppression reasons.
		"`BOUNCE` | `COMPLAINT`",
	} {
		if !strings.Contains(facts, s) {
			t.Errorf("FACTS.md no longer says %q; re-check the constant that encodes it", s)
		}
	}
	if SandboxMax24HourSend != 200 || SandboxMaxSendRate != 1 {
		t.Errorf("sandbox limits %d/%d", SandboxMax24HourSend, SandboxMaxSendRate)
	}
	if Route53MaxRecords != 1000 || Route53MaxValueChars != 32000 || Route53MaxValueLength != 4000 {
		t.Errorf("Route 53 limits %d/%d/%d", Route53MaxRecords, Route53MaxValueChars, Route53MaxValueLength)
	}
	if Route53NSTTL != 172800 || Route53SOATTL != 900 || Route53Hostmaster != "awsdns-hostmaster.amazon.com" {
		t.Error("Route 53 hosted zone constants")
	}
	if soa := Route53SOA("ns-1.awsdns-00.com."); soa.Serial != 1 || soa.Refresh != 7200 || soa.Retry != 900 ||
		soa.Expire != 1209600 || soa.Minimum != 86400 {
		t.Errorf("SOA %+v", soa)
	}
	if DefaultMailFromSPF != "v=spf1 include:amazonses.com ~all" {
		t.Errorf("MAIL FROM SPF %q", DefaultMailFromSPF)
	}
}

// TestAPIEnums checks the package's enumerations against the botocore
// extract in reference/ses/samples/api-enums-botocore.json.
func TestAPIEnums(t *testing.T) {
	var enums map[string]json.RawMessage
	if err := json.Unmarshal(readSample(t, "api-enums-botocore.json"), &enums); err != nil {
		t.Fatal(err)
	}
	list := func(key string) []string {
		t.Helper()
		var v []string
		if err := json.Unmarshal(enums[key], &v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return v
	}

	// Regions: endpoints.json's "email" service, every partition.
	var endpoints map[string]map[string]json.RawMessage
	if err := json.Unmarshal(enums["endpoints.json.email"], &endpoints); err != nil {
		t.Fatal(err)
	}
	var regions []string
	for _, part := range endpoints {
		for code := range part {
			if regionCodeRE.MatchString(code) && !strings.HasPrefix(code, "fips-") {
				regions = append(regions, code)
			}
		}
	}
	slices.Sort(regions)
	if !slices.Equal(regions, RegionCodes()) {
		t.Errorf("regions:\n endpoints.json %q\n table          %q", regions, RegionCodes())
	}
	// The DEED origins name every region but the sovereign cloud (FACTS §1.2).
	var deed []string
	for _, o := range list("sesv2.DkimSigningAttributesOrigin") {
		if code, ok := strings.CutPrefix(o, "AWS_SES_"); ok {
			deed = append(deed, strings.ToLower(strings.ReplaceAll(code, "_", "-")))
		}
	}
	slices.Sort(deed)
	want := slices.DeleteFunc(RegionCodes(), func(c string) bool { return c == "eusc-de-east-1" })
	if !slices.Equal(deed, want) {
		t.Errorf("DEED regions:\n API   %q\n table %q", deed, want)
	}

	if got := list("sesv2.SuppressionListReason"); !slices.Equal(got, []string{string(SuppressionReasonBounce), string(SuppressionReasonComplaint)}) {
		t.Errorf("SuppressionListReason %q", got)
	}
	for _, key := range []string{"sesv2.EventType", "ses.EventType", "ses.NotificationType"} {
		for _, v := range list(key) {
			if parseKind(v) == EventKindUnknown {
				t.Errorf("%s %q is not recognised", key, v)
			}
		}
	}
	if got := list("ses.BehaviorOnMXFailure"); !slices.Equal(got, []string{MXFailureBehaviorUseDefaultValue.String(), MXFailureBehaviorRejectMessage.String()}) {
		t.Errorf("BehaviorOnMXFailure %q", got)
	}
	if got := list("sesv2.MailType"); !slices.Equal(got, []string{string(MailTypeMarketing), string(MailTypeTransactional)}) {
		t.Errorf("MailType %q", got)
	}
	if got := list("sesv2.ContactLanguage"); !slices.Equal(got, []string{string(ContactLanguageEnglish), string(ContactLanguageJapanese)}) {
		t.Errorf("ContactLanguage %q", got)
	}
	if got := list("sesv2.BounceType"); len(got) != 3 {
		t.Errorf("BounceType %q", got)
	} else {
		for _, v := range got {
			// SESv2 spells the bounce types in upper case; the decision
			// must treat them as the notification spelling.
			e := bounceEvent(v, "General", "a@example.com")
			ds := SuppressionPolicy{}.Decide(e)
			if ds[0].Suppress != strings.EqualFold(v, BouncePermanent) {
				t.Errorf("bounce type %q: suppress %v", v, ds[0].Suppress)
			}
		}
	}

	var sel struct {
		Max     int    `json:"max"`
		Pattern string `json:"pattern"`
	}
	if err := json.Unmarshal(enums["sesv2.Selector.constraints"], &sel); err != nil {
		t.Fatal(err)
	}
	if sel.Max != 63 || strings.ReplaceAll(sel.Pattern, `\-`, "-") != "^("+selectorRE.String()[1:len(selectorRE.String())-1]+")$" {
		t.Errorf("selector constraints %+v, package %s", sel, selectorRE)
	}
	var rdataMax int
	if err := json.Unmarshal(enums["route53.RData.max"], &rdataMax); err != nil || rdataMax != Route53MaxValueLength {
		t.Errorf("route53.RData.max %d, package %d (%v)", rdataMax, Route53MaxValueLength, err)
	}
}

func TestUnknownRegionError(t *testing.T) {
	_, err := LookupRegion("us-east-1a")
	if err == nil || !strings.Contains(err.Error(), `the region is "us-east-1"`) || !strings.Contains(err.Error(), "known regions: af-south-1, ") {
		t.Errorf("availability zone: %v", err)
	}
	_, err = LookupRegion("Seoul")
	if err == nil || strings.Contains(err.Error(), "availability zone") || !strings.HasSuffix(err.Error(), "us-west-1, us-west-2") {
		t.Errorf("name: %v", err)
	}
}

// TestSampleFieldNames: every field of every SES sample has a place in
// Event (a misspelt JSON tag would leave one unknown), and the field names
// FACTS.md §6 lists beyond the samples are read too.
func TestSampleFieldNames(t *testing.T) {
	dir := sharedDir(t)
	if dir == "" {
		shared.Skip(t, "../shared not present: no SES samples")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "reference", "ses", "samples", "*.json"))
	n := 0
	for _, f := range files {
		base := filepath.Base(f)
		if !strings.HasPrefix(base, "event-") && !strings.HasPrefix(base, "notification-") {
			continue
		}
		n++
		d := json.NewDecoder(strings.NewReader(string(readSample(t, base))))
		d.DisallowUnknownFields()
		var e Event
		if err := d.Decode(&e); err != nil {
			t.Errorf("%s: %v", base, err)
		}
	}
	if n != 15 {
		t.Errorf("%d samples, FACTS §6 lists 15", n)
	}
	const extra = `{"eventType": "Subscription", "mail": {"sourceIp": "192.0.2.1", "callerIdentity": "me", "headersTruncated": true},
	  "subscription": {"contactList": "L", "source": "UnsubscribeHeader", "newTopicPreferences": {"unsubscribeAll": false,
	    "topicDefaultSubscriptionStatus": [{"topicName": "T", "subscriptionStatus": "OptIn"}]}}}`
	d := json.NewDecoder(strings.NewReader(extra))
	d.DisallowUnknownFields()
	var e Event
	if err := d.Decode(&e); err != nil {
		t.Error(err)
	}
	const more = `{"notificationType": "Delivery", "mail": {}, "delivery": {"remoteMtaIp": "192.0.2.2", "reportingMTA": "a8-70.smtp-out.amazonses.com"}}
	{"eventType": "DeliveryDelay", "mail": {}, "deliveryDelay": {"reportingMTA": "x", "expirationTime": "2022-01-12T01:00:17.910Z"}}
	{"notificationType": "Complaint", "mail": {}, "complaint": {"complaintSubType": null, "userAgent": "u", "arrivalDate": "2016-01-27T14:59:38.237Z"}}
	{"notificationType": "Bounce", "mail": {}, "bounce": {"remoteMtaIp": "192.0.2.3", "reportingMTA": "dsn; x"}}`
	d = json.NewDecoder(strings.NewReader(more))
	d.DisallowUnknownFields()
	for d.More() {
		var e Event
		if err := d.Decode(&e); err != nil {
			t.Error(err)
		}
	}
}
