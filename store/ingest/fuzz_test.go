package ingest

import (
	"bufio"
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// FuzzMbox: the mbox splitter never panics, and the messages mboxOf joins
// (mboxrd-quoted, each ending in a newline) come back as they went in,
// followed by the blank line that separates them.
func FuzzMbox(f *testing.F) {
	f.Add([]byte("Subject: a\n\nbody\n\x00Subject: b\n\nFrom me\n>From you\n"))
	f.Add([]byte("\x00\x00"))
	f.Add([]byte("From \r\n\r\n>>From x\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var msgs, want [][]byte
		for m := range bytes.SplitSeq(data, []byte{0}) {
			if len(m) > 0 && m[len(m)-1] != '\n' {
				m = append(m, '\n')
			}
			msgs = append(msgs, m)
			want = append(want, []byte(strings.ReplaceAll(string(m), "\r\n", "\n")+"\n"))
		}
		var got [][]byte
		send := func(it item) error {
			got = append(got, it.data)
			return nil
		}
		reject := func(name, reason string, err error) {
			t.Errorf("rejected %s: %s: %v", name, reason, err)
		}
		in := &Ingester{}
		if err := in.mbox(context.Background(), "f.mbox", bufio.NewReader(bytes.NewReader(mboxOf(msgs...))), send, reject); err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("messages %q\ncame back as %q", want, got)
		}
		// Any input at all: no panic, and no message past the limit.
		in.MaxMessageSize = 64
		err := in.mbox(context.Background(), "f.mbox", bufio.NewReader(bytes.NewReader(data)), func(it item) error {
			if len(it.data) > 64 {
				t.Errorf("a message of %d bytes passed MaxMessageSize 64", len(it.data))
			}
			return nil
		}, func(string, string, error) {})
		if err != nil {
			t.Fatal(err)
		}
	})
}
