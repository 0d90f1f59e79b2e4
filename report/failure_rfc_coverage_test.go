package report

// RFC requirement coverage for failure reports: each MUST, REQUIRED and
// SHOULD of RFC 9991 (final draft draft-ietf-dmarc-failure-reporting-24;
// §4 Reporting Format Update, §7 Privacy), RFC 6591 (§3) and RFC 5965 (§2,
// §3) that binds a report generator (EncodeFailure, Redactor) or a
// consumer (DecodeFailure), and the test that covers it. "n/a" rows are
// outside this package.
//
// Generator
//
//	source          requirement                                           test
//	5965 §2         multipart/report; report-type=feedback-report; three  TestEncodeFailureStructure
//	                parts: text, message/feedback-report, the original
//	5965 §3.1       Feedback-Type, User-Agent, Version (1) required        TestEncodeFailureStructure (defaults written)
//	6591 §3.1       Feedback-Type auth-failure                             TestEncodeFailureRequired ("another feedback type")
//	6591 §3.1       Authentication-Results MUST be present                 TestEncodeFailureRequired
//	6591 §3.1       Reported-Domain MUST be present if available           TestEncodeFailureRoundTrip (roundTripView:
//	                                                                      the original's From domain by default)
//	6591 §3.1       third part MUST be message/rfc822 or                   TestEncodeFailureRequired ("no original"),
//	                text/rfc822-headers                                   TestEncodeFailureRoundTrip (both)
//	6591 §3.2.1     Auth-Failure required                                  TestEncodeFailureRequired
//	6591 §3.2.2     Delivery-Result at most once                           by construction (one field)
//	6591 §3.3       signature, revoked: DKIM-Domain and DKIM-Selector      TestEncodeFailureRequired
//	                MUST; adsp: DKIM-ADSP-DNS MUST
//	6591 §3.2.6     SPF-DNS MUST appear for an SPF report                  TestEncodeFailureRequired
//	6591 §3.2.4     canonicalised header/body MUST NOT carry redacted data TestRedact (Redactor drops them)
//	9991 §4         Identity-Alignment REQUIRED: none, or dkim/spf once    TestEncodeFailureRequired (missing, bad)
//	9991 §4         DKIM-Domain/-Identity/-Selector for an aligned DKIM    TestEncodeFailureRoundTrip (written when set);
//	                failure; SPF-DNS for an aligned SPF failure           the caller knows which signature failed
//	9991 §7         minimise: redact bodies and header fields              TestRedact, ExampleRedactor_Redact
//	2046 §5.2.1     message/rfc822 only 7bit, 8bit or binary               transferEncoding; TestEncodeFailureRoundTrip
//	                                                                      ("long header fields")
//	5322 §2.1.1     lines at most 998 octets (folded)                      TestEncodeFailureRoundTrip (line lengths)
//	9991 §2, §5     rate limits, external destination verification,       n/a: sending is the caller's
//	                delivery to each ruf URI
//
// Consumer
//
//	5965 §2, 6591   read the feedback part whatever the order and the      TestFailureConformance (Netease: multipart/mixed,
//	                top-level type; warn on deviations                    base64 feedback part)
//	6591 §3.1       a message without a feedback-report part is no ARF    TestFailureConformance (exim), TestDecodeFailureErrors
//	5965 §7.3       other feedback types are not failure reports           TestDecodeFailureErrors ("abuse report")
//	6591 §3.3       comments after the Auth-Failure keyword                TestDecodeFailureTolerance
//	5965 §3.1       missing required fields: warned                        TestFailureConformance (report.failure-missing-field)
//	all             bounded: parts, fields, field size, message size       TestDecodeFailureDefaultLimits,
//	                                                                      TestDecodeFailureDefaultArchiveSize
