package dmarc

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAuthorDomains(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		choice  AuthorChoice
		want    []string
		wantErr error
	}{
		{"§5.3.1 one mailbox", "Subject: hi\r\nFrom: Alice <alice@Example.ORG>\r\nTo: bob@example.net\r\n\r\nFrom: body@ignored.example\r\n",
			AuthorSingle, []string{"example.org"}, nil},
		{"folded From field", "From: \"Alice, A.\"\r\n <alice@example.org>\r\n\r\n", AuthorSingle, []string{"example.org"}, nil},
		{"case-insensitive field name, LF endings", "FROM: alice@example.org\nx: y\n", AuthorSingle, []string{"example.org"}, nil},
		{"§5.3.1 U-label converted to A-label", "From: =?utf-8?q?J=C3=BCrgen?= <j@bücher.example>\r\n", AuthorSingle,
			[]string{"xn--bcher-kva.example"}, nil},
		{"several mailboxes, one domain", "From: a@example.org, b@EXAMPLE.org\r\n", AuthorSingle, []string{"example.org"}, nil},
		{"§5.3.1 several domains", "From: a@example.org, b@example.net\r\n", AuthorSingle,
			[]string{"example.org", "example.net"}, ErrMultipleAuthorDomains},
		{"§11.5 several domains, receiver goes on", "From: a@example.org, b@example.net\r\n", AuthorAll,
			[]string{"example.org", "example.net"}, nil},
		{"RFC 7489 §6.6.1 several From fields", "From: a@example.org\r\nFrom: b@example.org\r\n", AuthorSingle,
			[]string{"example.org"}, ErrMultipleFromFields},
		{"several From fields, all chosen", "From: a@example.org\r\nFrom: b@example.com\r\n", AuthorAll,
			[]string{"example.org", "example.com"}, nil},
		{"§5.3.1 no From field", "Subject: x\r\n\r\n", AuthorSingle, nil, ErrNoAuthorDomain},
		{"RFC 7489 §6.6.1 group without domains", "From: undisclosed-recipients:;\r\n", AuthorSingle, nil, ErrNoAuthorDomain},
		{"group with a member", "From: team: a@example.org;\r\n", AuthorSingle, []string{"example.org"}, nil},
		{"lenient fallback for a bad display name", "From: Alice [Sales] <alice@example.org>\r\n", AuthorSingle, []string{"example.org"}, nil},
		{"unparseable", "From: nobody\r\n", AuthorSingle, nil, ErrNoAuthorDomain},
		{"invalid domain", "From: a@bad..example\r\n", AuthorSingle, nil, ErrNoAuthorDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AuthorDomains(tt.header, tt.choice)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("domains (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
