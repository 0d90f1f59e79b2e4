package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// TestMboxMemoryFlat guards "an mbox of any size streams": it ingests an
// mbox of several thousand small report emails and bounds the bytes
// allocated per message and the heap at any point of the run. The live
// heap must stay under a quarter of the mbox, which it would pass if the
// file were read whole (every garbage collection during the run would
// find the whole file live).
func TestMboxMemoryFlat(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("ingests 3,000 emails (30 MB): 5 s, some 50 s under the race detector; CI runs it without -race")
	}
	const msgs = 3000
	// Each email carries a folded header of padding so that the mbox
	// (about 30 MB) dwarfs what the messages in flight need.
	pad := "X-Padding: " + strings.Repeat(strings.Repeat("x", 70)+"\r\n ", 120) + "end\r\n"
	path := filepath.Join(t.TempDir(), "big.mbox")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	for i := range msgs {
		bw.Write(mboxOf(append([]byte(pad), email(t, aggregate("r.example", fmt.Sprint(i), 2), nil)...)))
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	size := uint64(fi.Size())
	msgSize := size / uint64(msgs)

	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var before, after, ms runtime.MemStats
	var peakInuse, peakLive uint64
	in := &Ingester{Store: newStore(t), Concurrency: 2, Progress: func(p Progress) {
		if p.Done%25 == 0 {
			runtime.ReadMemStats(&ms)
			metrics.Read(live)
			peakInuse = max(peakInuse, ms.HeapInuse)
			peakLive = max(peakLive, live[0].Value.Uint64())
		}
	}}
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := in.Run(context.Background(), []string{path})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ingested != msgs {
		t.Fatalf("Run = %+v, want %d ingested", res, msgs)
	}
	perMsg := (after.TotalAlloc - before.TotalAlloc) / uint64(msgs)
	t.Logf("mbox %d bytes, %d emails of %d bytes; allocated %d bytes an email; heap in use %d before, at most %d during; live heap at most %d",
		size, msgs, msgSize, perMsg, before.HeapInuse, peakInuse, peakLive)
	// Measured: some 27 times the email's size (decoding tries, the
	// store's statements); 100 times leaves room for change.
	if perMsg > 100*msgSize {
		t.Errorf("allocated %d bytes an email of %d bytes, want at most %d", perMsg, msgSize, 100*msgSize)
	}
	if peakLive == 0 || peakLive > size/4 {
		t.Errorf("live heap reached %d bytes for an mbox of %d, want at most %d", peakLive, size, size/4)
	}
	if peakInuse > before.HeapInuse+size/2 {
		t.Errorf("heap in use grew from %d to %d bytes for an mbox of %d, want at most %d more", before.HeapInuse, peakInuse, size, size/2)
	}
}

// inFlightStore counts the reports being added at once. Each add waits
// until the count has reached want and 200 ms more have passed (or 3 s
// without), so that the workers pile up and the greatest count shows how
// many there are. It
// claims parallel writes, so that no batch serialises the workers.
type inFlightStore struct {
	store.Store
	want    int
	mu      sync.Mutex
	now     int
	most    int
	reached chan struct{}
	closed  bool
	write   sync.Mutex // one add at a time reaches the real store
}

func (s *inFlightStore) ParallelWrites() bool { return true }

func (s *inFlightStore) enter() {
	s.mu.Lock()
	s.now++
	s.most = max(s.most, s.now)
	if s.now >= s.want && !s.closed {
		// Hold them a little longer: a worker past the bound would
		// join them now.
		time.AfterFunc(200*time.Millisecond, func() { close(s.reached) })
		s.closed = true
	}
	s.mu.Unlock()
	select {
	case <-s.reached:
	case <-time.After(3 * time.Second):
	}
}

func (s *inFlightStore) leave() {
	s.mu.Lock()
	s.now--
	s.mu.Unlock()
	s.write.Lock()
}

func (s *inFlightStore) AddAggregate(ctx context.Context, a *report.Aggregate, src store.Source) (store.Added, error) {
	s.enter()
	s.leave()
	defer s.write.Unlock()
	return s.Store.AddAggregate(ctx, a, src)
}

func (s *inFlightStore) AddAggregateStream(ctx context.Context, st *report.Stream, src store.Source) (store.Added, error) {
	s.enter()
	s.leave()
	defer s.write.Unlock()
	return s.Store.AddAggregateStream(ctx, st, src)
}

// TestConcurrencyBound: at most Concurrency items are decoded and stored
// at once, and that many are: the given number, the default
// (runtime.NumCPU()) and the cap of 64 just past it.
func TestConcurrencyBound(t *testing.T) {
	dir := t.TempDir()
	for i := range 150 {
		write(t, filepath.Join(dir, fmt.Sprintf("%03d.xml", i)), marshal(t, aggregate("org.example", fmt.Sprint(i), 2)))
	}
	// And emails, which take the other path (decoded from memory).
	var mbox []byte
	for i := range 20 {
		mbox = append(mbox, mboxOf(email(t, aggregate("org.example", fmt.Sprint("m", i), 2), nil))...)
	}
	write(t, filepath.Join(dir, "r.mbox"), mbox)
	for _, tc := range []struct {
		name        string
		concurrency int
		want        int
	}{
		{"three", 3, 3},
		{"default", 0, min(runtime.NumCPU(), 64)},
		{"past the cap", 65, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &inFlightStore{Store: newStore(t), want: tc.want, reached: make(chan struct{})}
			res, err := (&Ingester{Store: s, Concurrency: tc.concurrency}).Run(context.Background(), []string{dir})
			if err != nil {
				t.Fatal(err)
			}
			if res.Ingested != 170 {
				t.Errorf("Run = %+v, want 170 ingested", res)
			}
			if s.most != tc.want {
				t.Errorf("at most %d reports in flight, want %d", s.most, tc.want)
			}
		})
	}
}
