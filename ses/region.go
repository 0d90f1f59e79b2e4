package ses

import (
	"fmt"
	"slices"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// Confidence says how well a fact about SES is established. The region
// table was assembled from AWS's API model, the SES Developer Guide and
// public copies of the AWS General Reference tables; where no authoritative
// source confirms a value, its Confidence says so and the planner reports
// it (finding "ses.region-value-unconfirmed") instead of trusting it.
type Confidence uint8

// Confidence levels, weakest first.
const (
	// ConfidenceUnknown: no value is known; the Fact's Value is empty.
	ConfidenceUnknown Confidence = iota
	// ConfidenceUnconfirmed: a guess that no authoritative source confirms.
	ConfidenceUnconfirmed
	// ConfidencePattern: follows the naming pattern of the other regions, not
	// individually confirmed.
	ConfidencePattern
	// ConfidenceObserved: seen in real mail headers or DNS zones, not documented.
	ConfidenceObserved
	// ConfidenceThirdParty: from public copies of an AWS table (several agree).
	ConfidenceThirdParty
	// ConfidenceDocumented: stated by AWS documentation or the AWS API model.
	ConfidenceDocumented
)

// String returns "unknown", "unconfirmed", "pattern", "observed",
// "third-party" or "documented".
func (c Confidence) String() string {
	switch c {
	case ConfidenceUnknown:
		return "unknown"
	case ConfidenceUnconfirmed:
		return "unconfirmed"
	case ConfidencePattern:
		return "pattern"
	case ConfidenceObserved:
		return "observed"
	case ConfidenceThirdParty:
		return "third-party"
	case ConfidenceDocumented:
		return "documented"
	}
	return fmt.Sprintf("confidence(%d)", uint8(c))
}

// Confirmed reports whether c is at least ConfidenceThirdParty: a value a plan may use
// without a warning.
func (c Confidence) Confirmed() bool { return c >= ConfidenceThirdParty }

// Fact is one value of the region table with its confidence.
type Fact struct {
	Value      string // empty when Confidence is ConfidenceUnknown
	Confidence Confidence
}

// Known reports whether the fact has a value.
func (f Fact) Known() bool { return f.Value != "" }

// Region is what the SES set-up of a domain needs to know about one AWS
// region.
type Region struct {
	Code string // "ap-northeast-2"
	Name string // "Asia Pacific (Seoul)"
	// DKIMZone is the Easy DKIM signing zone: the CNAME target of a token is
	// "<token>.<DKIMZone>". An Identity's SigningHostedZone, when set, wins.
	DKIMZone Fact
	// FeedbackHost is the custom MAIL FROM MX target,
	// "feedback-smtp.<region>.amazonses.com", published with preference 10.
	FeedbackHost Fact
	// SMTPEndpoint is the SMTP interface host name.
	SMTPEndpoint Fact
	// SMTPFIPSEndpoint is the FIPS SMTP interface host name, known for
	// us-east-1, us-west-2 and us-gov-west-1 only.
	SMTPFIPSEndpoint Fact
	// DefaultMailFrom is the envelope-sender domain SES uses without a
	// custom MAIL FROM: "amazonses.com" in us-east-1, "<region>.amazonses.com"
	// elsewhere (observed only for us-east-1 and eu-west-1).
	DefaultMailFrom Fact
}

// DefaultDKIMZone is the Easy DKIM signing zone of most regions.
const DefaultDKIMZone = "dkim.amazonses.com"

// regionTable holds every region with an SES endpoint (botocore
// endpoints.json, 2026-08). Sources per column are in FACTS.md §1.2: DKIM
// zones of the regional regions come from the SES Developer Guide (Cape
// Town, Osaka, Milan) and third-party copies of the General Reference;
// feedback endpoints from the 2022 Developer Guide table; SMTP endpoints
// from a third-party copy of the General Reference.
var regionTable = func() []Region {
	type row struct {
		code, name string
		dkim       Confidence // confidence of the DKIM zone
		regional   bool       // the region signs in dkim.<region>.amazonses.com
		feedback   Confidence
		smtp       Confidence
	}
	const (
		unk = ConfidenceUnknown
		unc = ConfidenceUnconfirmed
		pat = ConfidencePattern
		obs = ConfidenceObserved
		tp  = ConfidenceThirdParty
		doc = ConfidenceDocumented
	)
	// Evidence per row is in FACTS.md §1.2 (TestRegionTableMatchesFACTS
	// checks each value and confidence against it). The regional DKIM zone
	// names are third-party: the Developer Guide says only that Cape Town,
	// Osaka and Milan sign in a regional zone, and names none.
	rows := []row{
		{"us-east-1", "US East (N. Virginia)", doc, false, doc, tp},
		{"us-east-2", "US East (Ohio)", tp, false, doc, tp},
		{"us-west-1", "US West (N. California)", tp, false, doc, tp},
		{"us-west-2", "US West (Oregon)", tp, false, doc, tp},
		{"af-south-1", "Africa (Cape Town)", tp, true, doc, unc},
		{"ap-south-1", "Asia Pacific (Mumbai)", tp, false, doc, tp},
		{"ap-south-2", "Asia Pacific (Hyderabad)", tp, true, pat, unk},
		{"ap-northeast-1", "Asia Pacific (Tokyo)", tp, false, doc, tp},
		{"ap-northeast-2", "Asia Pacific (Seoul)", tp, false, doc, tp},
		{"ap-northeast-3", "Asia Pacific (Osaka)", tp, true, doc, unk},
		{"ap-southeast-1", "Asia Pacific (Singapore)", tp, false, doc, tp},
		{"ap-southeast-2", "Asia Pacific (Sydney)", tp, false, doc, tp},
		{"ap-southeast-3", "Asia Pacific (Jakarta)", tp, true, pat, unk},
		{"ap-southeast-5", "Asia Pacific (Malaysia)", tp, true, pat, unk},
		{"ca-central-1", "Canada (Central)", tp, false, doc, tp},
		{"ca-west-1", "Canada West (Calgary)", tp, true, pat, unk},
		{"eu-central-1", "Europe (Frankfurt)", tp, false, doc, tp},
		// SMTP: a third party reports no endpoint at all.
		{"eu-central-2", "Europe (Zurich)", tp, true, pat, unk},
		{"eu-west-1", "Europe (Ireland)", tp, false, doc, tp},
		{"eu-west-2", "Europe (London)", tp, false, doc, tp},
		{"eu-west-3", "Europe (Paris)", tp, false, doc, tp},
		// SMTP: listed in AWS's own SMTP_REGIONS script.
		{"eu-south-1", "Europe (Milan)", tp, true, doc, doc},
		{"eu-north-1", "Europe (Stockholm)", tp, false, doc, tp},
		// MX: seen in one third-party production zone, not in the 2022 table.
		{"il-central-1", "Israel (Tel Aviv)", tp, true, obs, pat},
		// DKIM: in no regional list, so the shared zone is inferred.
		{"me-south-1", "Middle East (Bahrain)", unc, false, doc, unk},
		{"me-central-1", "Middle East (UAE)", tp, true, pat, pat},
		{"sa-east-1", "South America (Sao Paulo)", tp, false, doc, tp},
		{"us-gov-west-1", "AWS GovCloud (US-West)", unc, false, doc, tp},
		// SMTP: FACTS.md gives no host name (the region is only named in an
		// AWS script), so none is guessed.
		{"us-gov-east-1", "AWS GovCloud (US-East)", tp, true, pat, unk},
		// Only in endpoints.json; host names may use another DNS suffix.
		{"eusc-de-east-1", "AWS European Sovereign Cloud (Germany)", unk, false, unk, unk},
	}
	out := make([]Region, 0, len(rows))
	for _, r := range rows {
		reg := Region{Code: r.code, Name: r.name}
		if r.dkim != ConfidenceUnknown {
			reg.DKIMZone = Fact{DefaultDKIMZone, r.dkim}
			if r.regional {
				reg.DKIMZone.Value = "dkim." + r.code + ".amazonses.com"
			}
		}
		if r.feedback != ConfidenceUnknown {
			reg.FeedbackHost = Fact{"feedback-smtp." + r.code + ".amazonses.com", r.feedback}
		}
		if r.smtp != ConfidenceUnknown {
			reg.SMTPEndpoint = Fact{"email-smtp." + r.code + ".amazonaws.com", r.smtp}
		}
		switch r.code {
		case "us-east-1", "us-west-2", "us-gov-west-1":
			reg.SMTPFIPSEndpoint = Fact{"email-smtp-fips." + r.code + ".amazonaws.com", r.smtp}
		}
		switch r.code {
		case "us-east-1":
			reg.DefaultMailFrom = Fact{"amazonses.com", ConfidenceObserved}
		case "eu-west-1":
			reg.DefaultMailFrom = Fact{"eu-west-1.amazonses.com", ConfidenceObserved}
		case "eusc-de-east-1":
		default:
			reg.DefaultMailFrom = Fact{r.code + ".amazonses.com", ConfidenceUnconfirmed}
		}
		out = append(out, reg)
	}
	return out
}()

// Regions returns the region table, in a fixed order (US first, as AWS lists
// them). The slice is a copy.
func Regions() []Region { return slices.Clone(regionTable) }

// RegionCodes returns the codes of every known region, sorted.
func RegionCodes() []string {
	codes := make([]string, len(regionTable))
	for i, r := range regionTable {
		codes[i] = r.Code
	}
	slices.Sort(codes)
	return codes
}

// UnknownRegionError reports a region code that is not in the table.
type UnknownRegionError struct {
	Region string
	Known  []string // the known codes, sorted
}

// Error describes the problem and what to do about it.
func (e *UnknownRegionError) Error() string {
	hint := ""
	// An availability zone ("us-east-1a") names its region without the letter.
	if n := len(e.Region); n > 1 && e.Region[n-1] >= 'a' && e.Region[n-1] <= 'z' {
		if r := strings.ToLower(strings.TrimSpace(e.Region[:n-1])); slices.Contains(e.Known, r) {
			hint = fmt.Sprintf(" (%q is an availability zone; the region is %q)", e.Region, r)
		}
	}
	return fmt.Sprintf("ses: unknown region %q%s; known regions: %s", e.Region, hint, strings.Join(e.Known, ", "))
}

// LookupRegion returns the table entry for a region code (case-insensitive).
// An unknown code gives an *UnknownRegionError listing the known ones.
func LookupRegion(code string) (Region, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	for _, r := range regionTable {
		if r.Code == c {
			return r, nil
		}
	}
	return Region{}, &UnknownRegionError{Region: code, Known: RegionCodes()}
}

// RegionOfDKIMZone returns REGION for a regional Easy DKIM signing zone,
// dkim.REGION.amazonses.com, and "" for the shared zone dkim.amazonses.com
// (which serves most regions and names none) or any other name.
func RegionOfDKIMZone(zone string) string { return regionBetween(zone, "dkim.") }

// RegionOfFeedbackHost returns REGION for an SES feedback endpoint,
// feedback-smtp.REGION.amazonses.com (the MX of a custom MAIL FROM domain),
// and "" for any other host.
func RegionOfFeedbackHost(host string) string { return regionBetween(host, "feedback-smtp.") }

func regionBetween(name, prefix string) string {
	rest, ok := strings.CutPrefix(dnsname.Canonical(name), prefix)
	if !ok {
		return ""
	}
	code, ok := strings.CutSuffix(rest, ".amazonses.com")
	if !ok || code == "" || strings.Contains(code, ".") {
		return ""
	}
	return code
}
