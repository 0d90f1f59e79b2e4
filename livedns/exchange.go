package livedns

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// maxMessage is the largest DNS message: a TCP answer's length prefix is 16
// bits (RFC 1035 §4.2.2), and no UDP datagram is larger.
const maxMessage = 65535

// udpBuffers recycles the 64 KiB read buffers of UDP exchanges.
var udpBuffers = sync.Pool{New: func() any { b := make([]byte, maxMessage); return &b }}

// query asks the question (qname, qtype) and returns the answer, retrying
// an attempt that failed, up to Attempts times, on the next server.
func (r *Resolver) query(ctx context.Context, qname string, qtype dnsmessage.Type) (*reply, string, error) {
	servers := r.servers()
	attempts := r.Attempts
	if attempts <= 0 {
		attempts = defaultAttempts
	}
	var lastErr error
	server := servers[0]
	for i := range attempts {
		server = servers[i%len(servers)]
		rep, err := r.exchange(ctx, server, qname, qtype)
		if err == nil {
			return rep, server, nil
		}
		lastErr = err
		if ctxDone(ctx) != nil || errors.Is(err, errTooManyRecords) {
			break
		}
	}
	return nil, server, lastErr
}

// exchange sends one query to server over UDP, and again over TCP when the
// UDP answer is truncated, within one attempt's time.
func (r *Resolver) exchange(ctx context.Context, server, qname string, qtype dnsmessage.Type) (*reply, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	id := uint16(rand.Uint32())
	msg, err := r.packQuery(id, qname, qtype)
	if err != nil {
		return nil, err
	}
	rep, err := r.roundTrip(ctx, "udp", server, msg, id, qname, qtype, deadline)
	if err == nil && rep.truncated {
		// RFC 7766 §5: a truncated UDP answer is asked again over TCP.
		rep, err = r.roundTrip(ctx, "tcp", server, msg, id, qname, qtype, deadline)
		if err == nil && rep.truncated {
			err = errors.New("truncated answer over TCP")
		}
	}
	return rep, err
}

// packQuery builds the query message: one question, recursion desired, an
// EDNS0 OPT record advertising UDPSize (RFC 6891 §6.1.2).
func (r *Resolver) packQuery(id uint16, qname string, qtype dnsmessage.Type) ([]byte, error) {
	name, err := dnsmessage.NewName(qname + ".")
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 64+len(qname)), dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: name, Type: qtype, Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	if err := b.StartAdditionals(); err != nil {
		return nil, err
	}
	var opt dnsmessage.ResourceHeader
	if err := opt.SetEDNS0(r.udpSize(), dnsmessage.RCodeSuccess, false); err != nil {
		return nil, err
	}
	if err := b.OPTResource(opt, dnsmessage.OPTResource{}); err != nil {
		return nil, err
	}
	return b.Finish()
}

// udpSize is the EDNS0 payload size to advertise: UDPSize, at least 512.
func (r *Resolver) udpSize() int {
	switch {
	case r.UDPSize == 0:
		return defaultUDPSize
	case r.UDPSize < 512:
		return 512 // RFC 6891 §6.2.5: values below 512 are treated as 512
	case r.UDPSize > maxMessage:
		return maxMessage
	}
	return r.UDPSize
}

// roundTrip sends msg over network and reads messages until one answers
// it; the others are ignored. It gives up at deadline or when ctx ends.
func (r *Resolver) roundTrip(ctx context.Context, network, server string, msg []byte, id uint16, qname string, qtype dnsmessage.Type, deadline time.Time) (*reply, error) {
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, network, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	// A cancelled context interrupts the read at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	maxRecords := r.MaxRecords
	if maxRecords <= 0 {
		maxRecords = defaultMaxRecords
	}
	if network == "tcp" {
		out := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(msg)), uint16(len(msg)))
		if _, err := conn.Write(append(out, msg...)); err != nil {
			return nil, err
		}
		var lenb [2]byte
		for {
			if _, err := io.ReadFull(conn, lenb[:]); err != nil {
				return nil, err
			}
			buf := make([]byte, binary.BigEndian.Uint16(lenb[:]))
			if _, err := io.ReadFull(conn, buf); err != nil {
				return nil, err
			}
			rep, err := parseReply(buf, id, qname, qtype, maxRecords)
			if err != errMismatch {
				return rep, err
			}
		}
	}
	if _, err := conn.Write(msg); err != nil {
		return nil, err
	}
	bp := udpBuffers.Get().(*[]byte)
	defer udpBuffers.Put(bp)
	for {
		n, err := conn.Read(*bp)
		if err != nil {
			return nil, err
		}
		rep, err := parseReply((*bp)[:n], id, qname, qtype, maxRecords)
		if err != errMismatch {
			return rep, err
		}
	}
}

// ctxDone returns ctx's error, or context.DeadlineExceeded once its
// deadline has passed even if its timer has not fired yet (a read that
// timed out at that deadline is then reported as the caller's).
func ctxDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
