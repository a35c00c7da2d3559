package transfer

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/ossvault/ossvault/envelope"
)

// readPart fills buf from f at off. A file that ends early changed.
func readPart(f io.ReaderAt, buf []byte, off int64) error {
	n, err := f.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("the file ended at %d bytes, before its size: %w", off+int64(n), ErrSourceChanged)
	}
	return fmt.Errorf("failed to read the file at offset %d: %w", off, err)
}

// partBufs holds part buffers: parts are read once into memory, encrypted
// there and sent from there, so that what is sent is what the MAC covers.
var partBufs sync.Pool

func getPartBuf(n int64) *[]byte {
	if b, ok := partBufs.Get().(*[]byte); ok && int64(cap(*b)) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n)
	return &b
}

// sendParts sends every part the server does not hold yet. Each is read
// once, encrypted and hashed in its buffer, and its leaves go to the
// journal before a byte of it is sent; a part that was read before (in
// flight when an earlier run stopped) must hash to the same leaves, or the
// upload fails with ErrSourceChanged and starts over under a new key.
func (u *Uploader) sendParts(ctx context.Context, f source, rec *uploadRecord, sum *envelope.Summer, progress Progress) error {
	s := &partSender{u: u, f: f, rec: rec, sum: sum, sealed: make(map[int]bool)}
	have := make(map[int]bool, len(rec.Parts))
	for _, p := range rec.Parts {
		have[p.Number] = true
		s.count.Add(p.Size)
	}
	for _, sp := range rec.allSealed() {
		s.sealed[sp.Number] = true
	}
	stop := report(&s.count, rec.State.Size, progress)
	defer stop()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go u.watchStall(ctx, cancel, &s.count)

	// Requests run under rctx, which a pause leaves to the parts in
	// flight for a moment (requestContext); no part starts once ctx ends.
	rctx, release := requestContext(ctx)
	defer release()
	g, gctx := errgroup.WithContext(rctx)
	g.SetLimit(cmp.Or(max(u.Parts, 0), 4))
	for i, sp := range splitParts(rec.State.Size, rec.PartSize) {
		n := i + 1
		if have[n] {
			continue
		}
		if gctx.Err() != nil || ctx.Err() != nil {
			break
		}
		g.Go(func() error { return s.send(ctx, gctx, n, sp) })
	}
	err := g.Wait()
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		return c // paused (the parts in flight may all have been stored), stalled
	}
	if err == nil && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// partSender is one run of sendParts.
type partSender struct {
	u     *Uploader
	f     source
	rec   *uploadRecord
	sum   *envelope.Summer
	count atomic.Int64 // bytes of the parts stored and in flight
	mu    sync.Mutex   // guards rec and sealed
	// sealed are the parts whose leaves are recorded.
	sealed map[int]bool
}

// send reads, seals and sends part n, at sp of the file, unless ctx (the
// run's) has ended before its request would start; the request runs under
// rctx.
func (s *partSender) send(ctx, rctx context.Context, n int, sp span) error {
	if err := quickUnchanged(s.f, s.rec.State); err != nil {
		return err
	}
	bp := getPartBuf(sp.Len)
	defer partBufs.Put(bp)
	buf := *bp
	if err := readPart(s.f, buf, sp.Off); err != nil {
		return err
	}
	leaves, err := s.sum.Seal(sp.Off, buf)
	if errors.Is(err, envelope.ErrChanged) {
		return fmt.Errorf("part %d differs from what was encrypted under this data key before: %w", n, ErrSourceChanged)
	}
	if err != nil {
		return Permanent(err)
	}
	s.mu.Lock()
	if !s.sealed[n] {
		s.sealed[n] = true
		err = s.u.recordLeaves(s.rec, sealedPart{Number: n, Leaves: leaves})
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	rec := s.rec
	body := &cipherSection{src: bytes.NewReader(buf), n: sp.Len, count: &s.count}
	etag, err := s.u.st().UploadPart(rctx, rec.Key, rec.UploadID, n, body, sp.Len, rec.Meta)
	body.end()
	if err != nil {
		return fmt.Errorf("part %d: %w", n, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Parts = append(rec.Parts, Part{Number: n, ETag: etag, Size: sp.Len})
	return s.u.save(rec)
}

// watchStall cancels ctx with ErrStalled when count stays put for the
// stall timeout.
func (u *Uploader) watchStall(ctx context.Context, cancel context.CancelCauseFunc, count *atomic.Int64) {
	watchStall(ctx, cancel, u.StallTimeout, count)
}
