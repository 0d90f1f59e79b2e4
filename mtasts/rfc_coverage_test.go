package mtasts

// RFC 8461 requirement coverage: every MUST, MUST NOT, SHALL and SHOULD of
// §3.1 to §5.1 that concerns a parser, a fetch, MX matching or a sender's
// policy cache, in our words, with the tests that check it. Test names are
// functions of this package (subtests after a slash, named by section);
// TestRFCCoverageNamesExist checks that every name below exists.
//
//	§     requirement (paraphrased)                                   test(s)
//	3.1   record MUST be US-ASCII key=value pairs split by ';'         TestParseRecord/§3.1_US-ASCII_only, TestParseRecord/§3.1_control_character
//	3.1   v=STSv1 required and MUST come first (case-sensitive)        TestParseRecord/§3.1_MUST_begin_with_v=STSv1:_other_first, TestSelectRecord
//	3.1   id required: 1 to 32 letters and digits                      TestParseRecord/§3.1_id_required, TestParseRecord/§3.1_id_over_32_characters
//	3.1   records not beginning with v=STSv1 are discarded             TestSelectRecord/§3.1_one_record_among_others
//	3.1   not exactly one record, or an invalid one: MUST assume       TestSelectRecord, TestClientNoPolicy, TestCheckerCheck
//	      no policy (a cached one still applies)                       TestClientPolicyLifecycle
//	3.1   several strings MUST be concatenated without spaces          TestLookupRecordJoinsStrings
//	3.1   a CNAME at _mta-sts MUST be followed                         TestLookupRecordJoinsStrings
//	3.2   policy at https://mta-sts.<domain>/.well-known/mta-sts.txt   TestFetchPolicy/§3.3_valid
//	3.2   media type SHOULD be text/plain; parameters ignored          TestFetchPolicy/§3.2_wrong_media_type, TestFetchPolicy/§3.2_media_type_parameters_ignored
//	3.2   version STSv1, mode enforce/testing/none, max_age 0 to        TestParsePolicy
//	      31557600 (1 to 10 digits): each required once
//	3.2   mx at least once unless mode is none                         TestParsePolicy/§3.2_mx_required_in_enforce, TestParsePolicy/§3.2_mode_none_needs_no_mx
//	3.2   each mx MUST have its own key and line                       TestParsePolicy/§3.2_each_mx_on_its_own_line
//	3.2   mx MUST be given as A-labels                                 TestParsePolicy/§3.2_mx_A-label,_not_U-label
//	3.2   lines end with CRLF or LF                                    TestParsePolicy/§3.2_example,_CRLF, TestParsePolicy/§3.2_LF_line_ends
//	3.2   parsers MUST accept extra fields; unknown fields SHALL be     TestParsePolicy/§3.2_unknown_fields_kept, TestParseRecord/§3.1_extension_kept
//	      ignored
//	3.2   duplicated fields other than mx: all but the first SHALL be  TestParsePolicy/§3.2_duplicate_mode:_first_wins, TestParseRecord/§3.2_duplicate_id:_first_wins
//	      ignored
//	3.3   certificate MUST be valid for mta-sts.<domain> (DNS-ID only) TestFetchPolicy/§3.3_certificate_for_another_name,_client_verifying_another_name
//	3.3   wildcard only as the complete leftmost label                 TestFetchPolicy/§3.3_wildcard_only_as_the_whole_leftmost_label
//	3.3   chain to a trusted root, non-expired (the TLS layer)         TestFetchPolicy/§3.3_untrusted_root, TestFetchPolicy/§3.3_expired_certificate
//	3.3   only valid with status 200                                   TestFetchPolicy/§3.3_status_other_than_200, TestFetchPolicy/§3.3_204_is_not_200
//	3.3   3xx redirects MUST NOT be followed                           TestFetchPolicy/§3.3_redirect_not_followed
//	3.3   HTTP caching MUST NOT be used                                TestFetchPolicyNoHTTPCache
//	3.3   SHOULD wait five minutes or more per id after a failure      TestClientPolicyLifecycle
//	3.3   MAY limit time (one minute) and size (64 kilobytes)          TestFetchPolicyDefaultTimeout, TestFetchPolicy/§3.3_slow_server:_timeout,
//	                                                                   TestFetchPolicy/§3.3_body_over_the_default_size_limit, TestParsePolicySizeLimit
//	3.3   no policy fetched and none cached: MUST deliver as without   TestClientPolicyLifecycle, TestClientNoPolicy
//	      MTA-STS
//	3.3   no live policy but an unexpired cached one: MUST apply it    TestClientPolicyLifecycle
//	3.3   SHOULD refresh cached policies proactively (daily)           TestClientPolicyLifecycle
//	3.4   MUST NOT fetch the parent zone's policy for a subdomain      TestClientNoParentPolicy
//	4.1   mx pattern matching; "*." matches exactly one leftmost       TestMatchPattern, TestPolicyMatches, TestCheckMX
//	      label; case-insensitive
//	5     enforce: MUST NOT deliver to a host failing MX matching      TestCheckMX/§5_enforce:_uncovered_MX_is_an_error
//	5     MUST check DNS for a new policy before failing permanently   TestClientPolicyLifecycle (Get queries the record every time)
//
// Out of scope: §4.2 and §5's STARTTLS and MX certificate checks (the
// SMTP client's work), §6 reporting (package tlsrpt), operator duties.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRFCCoverageNamesExist guards the table above against renamed tests.
func TestRFCCoverageNamesExist(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	src := all.String()
	self, err := os.ReadFile("rfc_coverage_test.go")
	if err != nil {
		t.Fatal(err)
	}
	table := string(self[:strings.Index(string(self), "\nimport (")])
	for _, m := range regexp.MustCompile(`Test[A-Za-z]+(/[^ ,\n]+)?`).FindAllStringSubmatch(table, -1) {
		name := m[0]
		fn, sub, _ := strings.Cut(name, "/")
		if !strings.Contains(src, "func "+fn+"(") {
			t.Errorf("coverage table names %s: no such test", fn)
			continue
		}
		if sub != "" && !strings.Contains(src, `"`+strings.ReplaceAll(sub, "_", " ")) {
			t.Errorf("coverage table names %s: no case %q", name, strings.ReplaceAll(sub, "_", " "))
		}
	}
}
