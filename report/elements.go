package report

// elem identifies the element names of both report schemas.
type elem uint8

const (
	eUnknown elem = iota
	eFeedback
	eVersion
	eReportMetadata
	eOrgName
	eEmail
	eExtraContactInfo
	eReportID
	eDateRange
	eBegin
	eEnd
	eError
	eGenerator
	ePolicyPublished
	eDomain
	eDiscoveryMethod
	eADKIM
	eASPF
	eP
	eSP
	eNP
	ePCT
	eFO
	eTesting
	eExtension
	eRecord
	eRow
	eSourceIP
	eCount
	ePolicyEvaluated
	eDisposition
	eDKIM
	eSPF
	eReason
	eType
	eComment
	eIdentifiers
	eHeaderFrom
	eEnvelopeFrom
	eEnvelopeTo
	eAuthResults
	eSelector
	eResult
	eScope
	eHumanResult
	numElems
)

var elemNames = [numElems]string{
	eUnknown:          "?",
	eFeedback:         "feedback",
	eVersion:          "version",
	eReportMetadata:   "report_metadata",
	eOrgName:          "org_name",
	eEmail:            "email",
	eExtraContactInfo: "extra_contact_info",
	eReportID:         "report_id",
	eDateRange:        "date_range",
	eBegin:            "begin",
	eEnd:              "end",
	eError:            "error",
	eGenerator:        "generator",
	ePolicyPublished:  "policy_published",
	eDomain:           "domain",
	eDiscoveryMethod:  "discovery_method",
	eADKIM:            "adkim",
	eASPF:             "aspf",
	eP:                "p",
	eSP:               "sp",
	eNP:               "np",
	ePCT:              "pct",
	eFO:               "fo",
	eTesting:          "testing",
	eExtension:        "extension",
	eRecord:           "record",
	eRow:              "row",
	eSourceIP:         "source_ip",
	eCount:            "count",
	ePolicyEvaluated:  "policy_evaluated",
	eDisposition:      "disposition",
	eDKIM:             "dkim",
	eSPF:              "spf",
	eReason:           "reason",
	eType:             "type",
	eComment:          "comment",
	eIdentifiers:      "identifiers",
	eHeaderFrom:       "header_from",
	eEnvelopeFrom:     "envelope_from",
	eEnvelopeTo:       "envelope_to",
	eAuthResults:      "auth_results",
	eSelector:         "selector",
	eResult:           "result",
	eScope:            "scope",
	eHumanResult:      "human_result",
}

func (e elem) String() string { return elemNames[e] }

// lookupElem maps a local name onto its elem without allocating.
func lookupElem(local []byte) elem {
	switch string(local) {
	case "feedback":
		return eFeedback
	case "version":
		return eVersion
	case "report_metadata":
		return eReportMetadata
	case "org_name":
		return eOrgName
	case "email":
		return eEmail
	case "extra_contact_info":
		return eExtraContactInfo
	case "report_id":
		return eReportID
	case "date_range":
		return eDateRange
	case "begin":
		return eBegin
	case "end":
		return eEnd
	case "error":
		return eError
	case "generator":
		return eGenerator
	case "policy_published":
		return ePolicyPublished
	case "domain":
		return eDomain
	case "discovery_method":
		return eDiscoveryMethod
	case "adkim":
		return eADKIM
	case "aspf":
		return eASPF
	case "p":
		return eP
	case "sp":
		return eSP
	case "np":
		return eNP
	case "pct":
		return ePCT
	case "fo":
		return eFO
	case "testing":
		return eTesting
	case "extension":
		return eExtension
	case "record":
		return eRecord
	case "row":
		return eRow
	case "source_ip":
		return eSourceIP
	case "count":
		return eCount
	case "policy_evaluated":
		return ePolicyEvaluated
	case "disposition":
		return eDisposition
	case "dkim":
		return eDKIM
	case "spf":
		return eSPF
	case "reason":
		return eReason
	case "type":
		return eType
	case "comment":
		return eComment
	case "identifiers":
		return eIdentifiers
	case "header_from":
		return eHeaderFrom
	case "envelope_from":
		return eEnvelopeFrom
	case "envelope_to":
		return eEnvelopeTo
	case "auth_results":
		return eAuthResults
	case "selector":
		return eSelector
	case "result":
		return eResult
	case "scope":
		return eScope
	case "human_result":
		return eHumanResult
	}
	return eUnknown
}
