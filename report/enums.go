package report

import "strings"

// The enumerations of the report schemas are open: the decoder keeps a value
// outside the vocabulary as written (after trimming), so that nothing a
// reporter said is lost, and each type's Canonical method maps the spellings
// seen in the wild ("hardfail", "unknown", "error") onto the vocabulary.
// Values that differ from a known one only in letter case are stored in the
// canonical spelling, with a "report.enum-case" warning.

// Disposition is a DMARC policy (p, sp, np: none, quarantine, reject) or the
// action applied to messages (<disposition>, which RFC 9990 extends with pass).
type Disposition string

// Dispositions (RFC 7489 Appendix C DispositionType, RFC 9990 ActionDispositionType).
const (
	DispositionNone       Disposition = "none"
	DispositionQuarantine Disposition = "quarantine"
	DispositionReject     Disposition = "reject"
	DispositionPass       Disposition = "pass" // RFC 9990 only
)

var dispositions = []Disposition{DispositionNone, DispositionQuarantine, DispositionReject, DispositionPass}

// Known reports whether d is in the RFC 9990 vocabulary.
func (d Disposition) Known() bool { return known(d, dispositions) }

// Canonical maps d onto the vocabulary where a mapping is obvious
// ("quarantined" -> quarantine); otherwise it returns d lower-cased.
func (d Disposition) Canonical() Disposition {
	return canonical(d, dispositions, dispositionAliases)
}

// Alignment is an identifier alignment mode (adkim, aspf).
type Alignment string

// Alignment modes (RFC 7489 §6.3).
const (
	AlignmentRelaxed Alignment = "r"
	AlignmentStrict  Alignment = "s"
)

var alignments = []Alignment{AlignmentRelaxed, AlignmentStrict}

// Known reports whether a is r or s.
func (a Alignment) Known() bool { return known(a, alignments) }

// Canonical maps "relaxed" and "strict" onto r and s.
func (a Alignment) Canonical() Alignment {
	return canonical(a, alignments, alignmentAliases)
}

// DMARCResult is a DMARC-aligned result in <policy_evaluated> (pass, fail).
type DMARCResult string

// DMARC-aligned results.
const (
	DMARCResultPass DMARCResult = "pass"
	DMARCResultFail DMARCResult = "fail"
)

var dmarcResults = []DMARCResult{DMARCResultPass, DMARCResultFail}

// Known reports whether r is pass or fail.
func (r DMARCResult) Known() bool { return known(r, dmarcResults) }

// Canonical lower-cases r.
func (r DMARCResult) Canonical() DMARCResult { return canonical(r, dmarcResults, nil) }

// DKIMResult is a DKIM verification result (RFC 8601 §2.7.1).
type DKIMResult string

// DKIM results.
const (
	DKIMResultNone      DKIMResult = "none"
	DKIMResultPass      DKIMResult = "pass"
	DKIMResultFail      DKIMResult = "fail"
	DKIMResultPolicy    DKIMResult = "policy"
	DKIMResultNeutral   DKIMResult = "neutral"
	DKIMResultTempError DKIMResult = "temperror"
	DKIMResultPermError DKIMResult = "permerror"
)

var dkimResults = []DKIMResult{DKIMResultNone, DKIMResultPass, DKIMResultFail, DKIMResultPolicy, DKIMResultNeutral, DKIMResultTempError, DKIMResultPermError}

// Known reports whether r is in the vocabulary.
func (r DKIMResult) Known() bool { return known(r, dkimResults) }

// Canonical maps the legacy spellings hardfail, unknown and error (RFC 7489
// Appendix C notes them for SPF; DKIM reporters use them too).
func (r DKIMResult) Canonical() DKIMResult {
	return canonical(r, dkimResults, dkimAliases)
}

// SPFResult is an SPF result (RFC 7208 §2.6, RFC 8601 §2.7.2).
type SPFResult string

// SPF results.
const (
	SPFResultNone      SPFResult = "none"
	SPFResultNeutral   SPFResult = "neutral"
	SPFResultPass      SPFResult = "pass"
	SPFResultFail      SPFResult = "fail"
	SPFResultSoftFail  SPFResult = "softfail"
	SPFResultPolicy    SPFResult = "policy" // RFC 9990 only
	SPFResultTempError SPFResult = "temperror"
	SPFResultPermError SPFResult = "permerror"
)

var spfResults = []SPFResult{SPFResultNone, SPFResultNeutral, SPFResultPass, SPFResultFail, SPFResultSoftFail, SPFResultPolicy, SPFResultTempError, SPFResultPermError}

// Known reports whether r is in the vocabulary.
func (r SPFResult) Known() bool { return known(r, spfResults) }

// Canonical maps hardfail to fail and, as RFC 7489 Appendix C says
// implementations commonly write them, unknown to temperror and error to
// permerror.
func (r SPFResult) Canonical() SPFResult {
	return canonical(r, spfResults, spfAliases)
}

// SPFScope is the identity SPF checked: mfrom or (RFC 7489 only) helo.
type SPFScope string

// SPF scopes.
const (
	SPFScopeMFrom SPFScope = "mfrom"
	SPFScopeHELO  SPFScope = "helo"
)

var spfScopes = []SPFScope{SPFScopeMFrom, SPFScopeHELO}

// Known reports whether s is mfrom or helo.
func (s SPFScope) Known() bool { return known(s, spfScopes) }

// Canonical maps "mailfrom" onto mfrom and "ehlo" onto helo.
func (s SPFScope) Canonical() SPFScope {
	return canonical(s, spfScopes, scopeAliases)
}

// OverrideType is a <reason><type>: why the applied disposition differs from
// the policy.
type OverrideType string

// Override reasons (RFC 7489 Appendix C; RFC 9990 adds policy_test_mode and
// drops forwarded and sampled_out).
const (
	OverrideTypeForwarded        OverrideType = "forwarded"   // RFC 7489 only
	OverrideTypeSampledOut       OverrideType = "sampled_out" // RFC 7489 only
	OverrideTypeTrustedForwarder OverrideType = "trusted_forwarder"
	OverrideTypeMailingList      OverrideType = "mailing_list"
	OverrideTypeLocalPolicy      OverrideType = "local_policy"
	OverrideTypeOther            OverrideType = "other"
	OverrideTypePolicyTestMode   OverrideType = "policy_test_mode" // RFC 9990 only
)

var overrideTypes = []OverrideType{OverrideTypeForwarded, OverrideTypeSampledOut, OverrideTypeTrustedForwarder,
	OverrideTypeMailingList, OverrideTypeLocalPolicy, OverrideTypeOther, OverrideTypePolicyTestMode}

// Known reports whether t is in either schema's vocabulary.
func (t OverrideType) Known() bool { return known(t, overrideTypes) }

// Canonical lower-cases t.
func (t OverrideType) Canonical() OverrideType { return canonical(t, overrideTypes, nil) }

// Testing is the RFC 9990 <testing> value (the DMARC t= tag): n or y.
type Testing string

// Testing values.
const (
	TestingNo  Testing = "n"
	TestingYes Testing = "y"
)

var testings = []Testing{TestingNo, TestingYes}

// Known reports whether t is n or y.
func (t Testing) Known() bool { return known(t, testings) }

// Canonical lower-cases t.
func (t Testing) Canonical() Testing { return canonical(t, testings, nil) }

// DiscoveryMethod is the RFC 9990 <discovery_method>: psl or treewalk.
type DiscoveryMethod string

// Discovery methods.
const (
	DiscoveryMethodPSL      DiscoveryMethod = "psl"
	DiscoveryMethodTreeWalk DiscoveryMethod = "treewalk"
)

var discoveryMethods = []DiscoveryMethod{DiscoveryMethodPSL, DiscoveryMethodTreeWalk}

// Known reports whether m is psl or treewalk.
func (m DiscoveryMethod) Known() bool { return known(m, discoveryMethods) }

// Canonical lower-cases m.
func (m DiscoveryMethod) Canonical() DiscoveryMethod {
	return canonical(m, discoveryMethods, nil)
}

func known[T ~string](v T, vocab []T) bool {
	for _, k := range vocab {
		if v == k {
			return true
		}
	}
	return false
}

func canonical[T ~string](v T, vocab []T, aliases map[string]T) T {
	if known(v, vocab) {
		return v
	}
	l := T(strings.ToLower(strings.TrimSpace(string(v))))
	if known(l, vocab) {
		return l
	}
	if a, ok := aliases[string(l)]; ok {
		return a
	}
	return l
}

// enumValue maps the bytes of an enumerated element onto T without
// allocating for exact vocabulary values. caseFixed reports a repaired
// letter-case variant; unknown reports a value outside the vocabulary (kept
// as written).
func enumValue[T ~string](b []byte, vocab []T) (v T, caseFixed, unknown bool) {
	for _, k := range vocab {
		if string(b) == string(k) {
			return k, false, false
		}
	}
	for _, k := range vocab {
		if len(b) == len(k) && strings.EqualFold(string(b), string(k)) {
			return k, true, false
		}
	}
	return T(b), false, true
}

// Read-only alias tables for Canonical.
var (
	dispositionAliases = map[string]Disposition{"quarantined": DispositionQuarantine, "rejected": DispositionReject}
	alignmentAliases   = map[string]Alignment{"relaxed": AlignmentRelaxed, "strict": AlignmentStrict}
	dkimAliases        = map[string]DKIMResult{"hardfail": DKIMResultFail, "unknown": DKIMResultTempError, "error": DKIMResultPermError}
	spfAliases         = map[string]SPFResult{"hardfail": SPFResultFail, "unknown": SPFResultTempError, "error": SPFResultPermError, "soft fail": SPFResultSoftFail}
	scopeAliases       = map[string]SPFScope{"mailfrom": SPFScopeMFrom, "ehlo": SPFScopeHELO}
)
