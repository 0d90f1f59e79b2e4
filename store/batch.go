package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/domainauth/domainauth/report"
)

// Batch adds several aggregate reports in one database transaction: a
// commit rewrites the index pages the reports touched once, not once per
// report, so ingesting many small reports goes several times faster.
//
// Each report is added under a savepoint of its own. A report that fails
// (too large, not allowed, a broken stream, a database error) is rolled
// back to its savepoint and its error returned; the batch's other reports
// stay and are committed by Commit. Idempotency and conflict recording
// are exactly those of Store.AddAggregate: a report already stored,
// earlier in the batch included, is OutcomeDuplicate or OutcomeConflict.
// The outcomes are final only once Commit succeeds; if it fails, none of
// the batch's reports is stored.
//
// On SQLite a Batch holds the store's write lock from Begin until Commit
// or Rollback: other writers of the process and of other processes wait
// for it (readers do not), so keep batches short. A Batch is safe for
// concurrent use; its reports are written one at a time.
type Batch interface {
	// AddAggregate adds one report, as Store.AddAggregate does.
	AddAggregate(ctx context.Context, a *report.Aggregate, src Source) (Added, error)
	// AddAggregateStream adds one report read record by record, as
	// Store.AddAggregateStream does.
	AddAggregateStream(ctx context.Context, st *report.Stream, src Source) (Added, error)
	// Len returns the number of reports added (not failed) so far.
	Len() int
	// Commit stores the batch's reports and ends the batch.
	Commit() error
	// Rollback discards the batch's reports and ends the batch; after
	// Commit it does nothing.
	Rollback() error
}

// ParallelWriter is implemented by a Store whose writers can work at once
// (PostgreSQL: each on its own connection), where a Batch, which writes
// its reports one at a time, can be slower than reports added side by
// side. The ingest package adds reports in batches only to a store that
// does not implement it or says false.
type ParallelWriter interface {
	ParallelWrites() bool
}

// ParallelWrites reports whether writers work at once: true on
// PostgreSQL, false on SQLite (one writer at a time).
func (s *sqlStore) ParallelWrites() bool { return s.d.dollar }

// ErrBatchDone: the batch was committed or rolled back, or a failure left
// its transaction unusable (the error says which).
var ErrBatchDone = errors.New("store: batch ended")

// sqlBatch is the Batch of both engines.
type sqlBatch struct {
	s      *sqlStore
	ctx    context.Context // the transaction's: statements run under it
	mu     sync.Mutex
	w      *writeTx
	unlock func()
	// details are the aggregate_details ids of the reports added so far.
	details map[string]int64
	n       int
	err     error // set once the batch cannot go on
}

// Begin starts a Batch. Its statements run under ctx: cancelling it rolls
// the batch back.
func (s *sqlStore) Begin(ctx context.Context) (Batch, error) {
	unlock := s.lockWriter()
	w, err := s.beginWrite(ctx)
	if err != nil {
		unlock()
		return nil, err
	}
	return &sqlBatch{s: s, ctx: ctx, w: w, unlock: unlock, details: map[string]int64{}}, nil
}

// AddAggregate adds one report under a savepoint.
func (b *sqlBatch) AddAggregate(ctx context.Context, a *report.Aggregate, src Source) (Added, error) {
	next, final := wholeReport(a)
	return b.add(ctx, a, next, final, src)
}

// AddAggregateStream adds one streamed report under a savepoint.
func (b *sqlBatch) AddAggregateStream(ctx context.Context, st *report.Stream, src Source) (Added, error) {
	next, final := streamedReport(st)
	return b.add(ctx, st.Header(), next, final, src)
}

// add runs one report in a savepoint of the batch's transaction. ctx is
// checked before the report starts; its statements run under the
// batch's context, because an interrupted statement can roll back the
// whole transaction (SQLite does so for an interrupted write), which
// would lose the reports before this one.
func (b *sqlBatch) add(ctx context.Context, first *report.Aggregate, next func() (*report.Record, error),
	final func() *report.Aggregate, src Source) (Added, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return Added{}, b.err
	}
	if err := ctx.Err(); err != nil {
		return Added{}, err
	}
	tx := b.w.tx
	if _, err := tx.ExecContext(b.ctx, "SAVEPOINT report"); err != nil {
		return Added{}, b.fail(err)
	}
	added, details, err := b.s.addAggregateTx(b.ctx, b.w, first, next, final, src, b.details)
	if err != nil {
		if _, rerr := tx.ExecContext(b.ctx, "ROLLBACK TO SAVEPOINT report"); rerr != nil {
			// The transaction is lost, and the batch's earlier reports
			// with it: that, not the report's own error, is the news.
			return Added{}, b.fail(rerr)
		}
	}
	if _, rerr := tx.ExecContext(b.ctx, "RELEASE SAVEPOINT report"); rerr != nil {
		b.fail(rerr)
		if err == nil {
			err = b.err
		}
	}
	if err != nil {
		return Added{}, err
	}
	for k, v := range details {
		b.details[k] = v
	}
	b.n++
	return added, nil
}

// fail marks the batch unusable: its transaction is rolled back.
func (b *sqlBatch) fail(err error) error {
	b.err = fmt.Errorf("%w: %w", ErrBatchDone, b.s.err(err))
	b.end()
	return b.err
}

// end releases the transaction, connection and write lock.
func (b *sqlBatch) end() {
	if b.w == nil {
		return
	}
	b.w.rollback()
	b.w = nil
	b.unlock()
}

// Len returns the number of reports added so far.
func (b *sqlBatch) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Commit stores the batch.
func (b *sqlBatch) Commit() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return b.err
	}
	err := b.w.tx.Commit()
	b.end()
	if err != nil {
		b.err = fmt.Errorf("%w: %w", ErrBatchDone, b.s.err(err))
		return b.s.err(err)
	}
	b.s.rememberDetails(b.details)
	b.err = fmt.Errorf("%w: committed", ErrBatchDone)
	return nil
}

// Rollback discards the batch.
func (b *sqlBatch) Rollback() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil
	}
	b.end()
	b.err = fmt.Errorf("%w: rolled back", ErrBatchDone)
	return nil
}
