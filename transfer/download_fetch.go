package transfer

import (
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

// fetchJob is what fetch reads and where it goes.
type fetchJob struct {
	src Reader
	key string
	p   *prepared // the bytes [p.start, p.end] of the version p.info describes
	w   io.WriterAt
	ver *envelope.Verifier // nil: no MAC is checked
	// done are spans fetched before, skipped; onChunk, if set, runs after
	// each span is written.
	done    []span
	onChunk func(span) error
}

// fetch reads [p.start, p.end] of the object with parallel ranged GETs
// pinned to the version p.info describes, skipping the spans in done.
// Each piece is added to ver (if any) as ciphertext, decrypted at its own
// offset and written to w at its object offset.
func (d *Downloader) fetch(ctx context.Context, fj fetchJob, progress Progress) error {
	p := fj.p
	if p.end < p.start {
		return nil
	}
	skip := make(map[int64]bool, len(fj.done))
	var count atomic.Int64
	for _, sp := range fj.done {
		skip[sp.Off] = true
		count.Add(sp.Len)
	}
	total := p.end - p.start + 1
	if progress == nil {
		progress = func(int64, int64) {}
	}
	stop := report(&count, total, progress)
	defer stop()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	fj.src = watchReads(ctx, cancel, fj.src, d.StallTimeout)

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(max(d.Parts, 0), 4))
	stopped := false // spans were left unfetched
	for _, sp := range splitRange(p.start, p.end, p.chunk) {
		if skip[sp.Off] {
			continue
		}
		if gctx.Err() != nil {
			stopped = true
			break
		}
		g.Go(func() error {
			if err := d.fetchSpan(gctx, &fj, sp, &count); err != nil {
				return err
			}
			if fj.onChunk != nil {
				return fj.onChunk(sp)
			}
			return nil
		})
	}
	err := g.Wait()
	if err == nil && stopped {
		// A pause or cancel that came between two spans, or before the
		// first, when every span under way had finished: without an
		// error here the download would be taken for complete, fail its
		// check as altered, and lose its partial file.
		err = context.Cause(gctx)
	}
	if c := context.Cause(ctx); err != nil && c != nil && !errors.Is(c, context.Canceled) {
		return c
	}
	return err
}

// pieceSize is how much fetchSpan reads before handing bytes on: one
// integrity chunk, so that the verifier always sees whole chunks.
func (p *prepared) pieceSize() int64 {
	if p.env != nil && p.env.Integrity != nil && p.env.Integrity.ChunkSize > 0 {
		return p.env.Integrity.ChunkSize
	}
	return 1 << 20
}

var piecePool sync.Pool

// getPiece returns a buffer of n bytes from piecePool.
func getPiece(n int64) *[]byte {
	if b, ok := piecePool.Get().(*[]byte); ok && int64(cap(*b)) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n)
	return &b
}

// fetchSpan reads one span. A body that breaks off is asked for again from
// the last whole piece, so a reset costs at most one piece.
func (d *Downloader) fetchSpan(ctx context.Context, fj *fetchJob, sp span, count *atomic.Int64) error {
	p, ver := fj.p, fj.ver
	ps := p.pieceSize()
	bufs := [2]*[]byte{getPiece(ps), getPiece(ps)}
	defer func() {
		for _, b := range bufs {
			piecePool.Put(b)
		}
	}()

	off, end := sp.Off, sp.end()
	return d.policy().Do(ctx, func() error {
		// Its own context, so that a piece that fails to write can stop
		// the read of the next one.
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		body, h, err := fj.src.GetRange(rctx, fj.key, off, end, p.info.ETag)
		if err != nil {
			return err
		}
		defer body.Close()
		// Take the offset from what the server sent, not from what was
		// asked: a server may ignore the range.
		at := int64(0)
		if cr := h.Get("Content-Range"); cr != "" {
			s, _, _, err := envelope.ParseContentRange(cr)
			if err != nil {
				return err
			}
			at = s
		}
		if at > off {
			return fmt.Errorf("the server sent bytes from %d when %d was asked", at, off)
		}
		if at < off {
			if _, err := io.CopyN(io.Discard, body, off-at); err != nil {
				return err
			}
		}
		return readPieces(body, stop, off, end, ps, bufs, func(piece []byte, at int64) error {
			if ver != nil {
				if err := ver.AddCiphertext(at, piece); err != nil {
					return Permanent(err)
				}
			}
			if p.dk != nil {
				p.dk.XORKeyStreamAt(piece, piece, at)
			}
			if _, err := fj.w.WriteAt(piece, at); err != nil {
				return Permanent(err)
			}
			off = at + int64(len(piece))
			count.Add(int64(len(piece)))
			return nil
		})
	})
}

// readPieces reads body, which holds the bytes off..end, in pieces that
// end on multiples of ps (as the verifier's chunks do) and hands each to
// handle in order. The next piece is read while handle works on the
// previous one, so the connection keeps flowing while a piece is checked,
// decrypted and written. If handle fails, stop must make a blocked read
// of body return; readPieces returns only after its reader has.
func readPieces(body io.Reader, stop func(), off, end, ps int64, bufs [2]*[]byte, handle func(piece []byte, at int64) error) error {
	type piece struct {
		b   []byte
		at  int64
		err error
	}
	free := make(chan []byte, len(bufs))
	for _, b := range bufs {
		free <- *b
	}
	full := make(chan piece, len(bufs))
	quit := make(chan struct{})
	go func() {
		defer close(full)
		for at := off; at <= end; {
			var b []byte
			select {
			case b = <-free:
			case <-quit:
				return
			}
			n := min((at/ps+1)*ps, end+1) - at
			b = b[:n]
			if _, err := io.ReadFull(body, b); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				full <- piece{err: fmt.Errorf("the download broke off: %w", err)}
				return
			}
			full <- piece{b: b, at: at}
			at += n
		}
	}()
	var err error
	for pc := range full {
		if err == nil {
			err = pc.err
		}
		if err == nil {
			err = handle(pc.b, pc.at)
		}
		if err != nil {
			// Unblock and drain the reader before the buffers go back.
			select {
			case <-quit:
			default:
				close(quit)
				stop()
			}
			continue
		}
		free <- pc.b
	}
	return err
}
