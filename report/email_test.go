package report

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFilenameAndSubject(t *testing.T) {
	a := builtSample()
	// RFC 9990 §3: receiver!policy-domain!begin!end[!unique-id].xml[.gz]
	if got, want := Filename(a, "receiver.example", "u-1", CompressionGzip), "receiver.example!example.com!1700000000!1700086399!u1.xml.gz"; got != want {
		t.Errorf("Filename = %q, want %q", got, want)
	}
	if got, want := Filename(a, "receiver.example", "", CompressionNone), "receiver.example!example.com!1700000000!1700086399.xml"; got != want {
		t.Errorf("Filename = %q, want %q", got, want)
	}
	if got, want := Subject(a, "receiver.example"), "Report Domain: example.com Submitter: receiver.example Report-ID: <r1@receiver.example>"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	a.Metadata.ReportID = "example.com:1700000000" // ':' is not dot-atom-text: no Report-ID part
	if got, want := Subject(a, "receiver.example"), "Report Domain: example.com Submitter: receiver.example"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
}

func TestEncodeEmail(t *testing.T) {
	a := builtSample()
	for _, plain := range []bool{false, true} {
		var buf bytes.Buffer
		e := Encoder{}
		err := e.EncodeEmail(&buf, a, Email{From: "dmarc@receiver.example", To: "rua@example.com", Receiver: "receiver.example",
			Date: time.Date(2023, 11, 16, 1, 0, 0, 0, time.UTC), Uncompressed: plain})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		subj := strings.Join(strings.Fields(msg.Header.Get("Subject")), " ")
		if subj != "Report Domain: example.com Submitter: receiver.example Report-ID: <r1@receiver.example>" {
			t.Errorf("subject %q", subj)
		}
		if !strings.Contains(buf.String(), `filename="receiver.example!example.com!1700000000!1700086399.xml`) {
			t.Errorf("no RFC 9990 file name:\n%s", buf.String())
		}
		got, err := Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(e.Normalize(a), got, cmpOpts); d != "" {
			t.Errorf("email round trip (plain=%v):\n%s", plain, d)
		}
	}
	if err := (&Encoder{}).EncodeEmail(&bytes.Buffer{}, a, Email{}); err == nil {
		t.Error("no error without Receiver")
	}
}
