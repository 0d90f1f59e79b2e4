package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// Batch defaults: see Ingester.BatchReports and Ingester.BatchDelay.
const (
	DefaultBatchReports = 64
	DefaultBatchDelay   = time.Second
)

// writer adds the aggregate reports of a Run to the store in batches
// (store.Batch): a batch is committed once it holds BatchReports reports,
// once BatchDelay has passed since its first report, before a TLS or
// failure report is written, and at the end of the Run. The outcomes of
// a batch's reports are counted once it commits.
type writer struct {
	st     store.Store
	ctx    context.Context // the Run's: the batches' transactions run under it
	size   int
	delay  time.Duration
	count  func(store.Added) // counts a committed outcome
	mu     sync.Mutex
	batch  store.Batch
	gen    int // numbers the batches, so that a late timer commits none
	timer  *time.Timer
	added  []store.Added // outcomes awaiting the commit
	failed error         // a commit that failed; the Run stops with it
}

func (in *Ingester) newWriter(ctx context.Context, count func(store.Added)) *writer {
	w := &writer{st: in.Store, ctx: ctx, size: in.BatchReports, delay: in.BatchDelay, count: count}
	if pw, ok := in.Store.(store.ParallelWriter); ok && pw.ParallelWrites() && w.size == 0 {
		w.size = -1
	}
	if w.size == 0 {
		w.size = DefaultBatchReports
	}
	if w.delay <= 0 {
		w.delay = DefaultBatchDelay
	}
	return w
}

// adder is what a store.Store and a store.Batch share.
type adder interface {
	AddAggregate(ctx context.Context, a *report.Aggregate, src store.Source) (store.Added, error)
	AddAggregateStream(ctx context.Context, st *report.Stream, src store.Source) (store.Added, error)
}

// aggregate adds one report to the open batch (opening one if need be)
// through add, which calls AddAggregate or AddAggregateStream on it.
func (w *writer) aggregate(add func(adder) (store.Added, error)) error {
	if w.size < 0 {
		// No batches: the report is its own transaction, beside the
		// others.
		a, err := add(w.st)
		if err == nil {
			w.count(a)
		}
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failed != nil {
		return w.failed
	}
	if w.batch == nil {
		b, err := w.st.Begin(w.ctx)
		if err != nil {
			return err
		}
		w.batch = b
		w.gen++
		gen := w.gen
		w.timer = time.AfterFunc(w.delay, func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.gen == gen && w.batch != nil {
				w.commitLocked()
			}
		})
	}
	a, err := add(w.batch)
	if err != nil {
		return err
	}
	w.added = append(w.added, a)
	if len(w.added) >= w.size {
		return w.commitLocked()
	}
	return nil
}

// direct commits the open batch, then runs add (a TLS or failure report)
// on the store itself.
func (w *writer) direct(add func() (store.Added, error)) (*store.Added, error) {
	if w.size >= 0 {
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := w.commitLocked(); err != nil {
			return nil, err
		}
	}
	a, err := add()
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// commit commits the open batch, if any.
func (w *writer) commit() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.commitLocked()
}

func (w *writer) commitLocked() error {
	if w.failed != nil {
		return w.failed
	}
	if w.batch == nil {
		return nil
	}
	w.timer.Stop()
	err := w.batch.Commit()
	w.batch = nil
	if err != nil {
		w.failed = err
		w.added = w.added[:0]
		return err
	}
	for _, a := range w.added {
		w.count(a)
	}
	w.added = w.added[:0]
	return nil
}
