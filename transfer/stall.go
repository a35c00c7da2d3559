package transfer

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// watchReads returns src with every byte read from a range's body counted,
// and ends ctx with ErrStalled once none has arrived for timeout.
//
// A download reports progress a piece at a time (one integrity chunk, 1 MiB
// or more), so on a slow connection a piece can take longer than the stall
// timeout while its bytes keep arriving; the stall watch must see those
// bytes, not the pieces.
func watchReads(ctx context.Context, cancel context.CancelCauseFunc, src Reader, timeout time.Duration) Reader {
	r := &countingReader{Reader: src}
	go watchStall(ctx, cancel, timeout, &r.n)
	return r
}

type countingReader struct {
	Reader
	n atomic.Int64
}

func (r *countingReader) GetRange(ctx context.Context, key string, start, end int64, etag string) (io.ReadCloser, http.Header, error) {
	body, h, err := r.Reader.GetRange(ctx, key, start, end, etag)
	if err != nil {
		return nil, nil, err
	}
	return &countingBody{ReadCloser: body, n: &r.n}, h, nil
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// watchStall cancels ctx with ErrStalled when the sum of counts stays put
// for timeout (2 minutes if 0).
func watchStall(ctx context.Context, cancel context.CancelCauseFunc, timeout time.Duration, counts ...*atomic.Int64) {
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	load := func() (n int64) {
		for _, c := range counts {
			n += c.Load()
		}
		return n
	}
	tick := min(timeout/4, time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	last, since := load(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if c := load(); c != last {
				last, since = c, now
			} else if now.Sub(since) >= timeout {
				cancel(ErrStalled)
				return
			}
		}
	}
}
