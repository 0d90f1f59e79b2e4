package livedns

import (
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// FuzzParseReply: any bytes from the network parse without a panic, and an
// accepted answer is for the question asked and within MaxRecords.
func FuzzParseReply(f *testing.F) {
	q := dnsmessage.Question{Name: dnsmessage.MustNewName("example.org."), Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET}
	soa := &dnsmessage.SOAResource{NS: dnsmessage.MustNewName("ns.example.org."), MBox: dnsmessage.MustNewName("h.example.org."), MinTTL: 60}
	for _, m := range []dnsmessage.Message{
		{Header: dnsmessage.Header{ID: 7, Response: true}, Questions: []dnsmessage.Question{q}, Answers: []dnsmessage.Resource{
			{Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeCNAME, Class: dnsmessage.ClassINET, TTL: 5},
				Body: &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("t.example.org.")}},
			{Header: dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName("t.example.org."), Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET, TTL: 9},
				Body: &dnsmessage.TXTResource{TXT: []string{"a", "b"}}},
			{Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeMX, Class: dnsmessage.ClassINET},
				Body: &dnsmessage.MXResource{Pref: 1, MX: dnsmessage.MustNewName(".")}},
		}},
		{Header: dnsmessage.Header{ID: 7, Response: true, RCode: dnsmessage.RCodeNameError}, Questions: []dnsmessage.Question{q},
			Authorities: []dnsmessage.Resource{{Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeSOA, Class: dnsmessage.ClassINET, TTL: 300}, Body: soa}}},
		{Header: dnsmessage.Header{ID: 7, Response: true, Truncated: true}, Questions: []dnsmessage.Question{q}},
	} {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		rep, err := parseReply(msg, 7, "example.org", dnsmessage.TypeTXT, 2)
		if err != nil {
			if rep != nil {
				t.Fatal("a reply with an error")
			}
			return
		}
		var p dnsmessage.Parser
		h, perr := p.Start(msg)
		if perr != nil || h.ID != 7 || !h.Response {
			t.Fatalf("accepted a message that is not the answer: %+v, %v", h, perr)
		}
		if got, _ := p.Question(); got.Type != dnsmessage.TypeTXT || canonical(got.Name) != "example.org" {
			t.Fatalf("accepted an answer to %v", got)
		}
		if len(rep.records) > 2 {
			t.Fatalf("%d records past the bound of 2", len(rep.records))
		}
	})
}
