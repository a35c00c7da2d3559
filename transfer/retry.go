package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// Policy is how often and how patiently a failed request is tried again.
// Only failures that may pass are retried (isTemporary): the network
// (refused connections, resets, cut-off bodies, timeouts, stalls), server
// errors and throttling. A full storage is tried only storageFullTries
// times: it does not clear in seconds, and the transfer is resumable.
type Policy struct {
	// Attempts is the most tries per request, the first included; 0
	// leaves the count to Window (one try if Window is 0 too).
	Attempts int
	// Window bounds the time a request is retried: no try starts later
	// than Window after the first one failed. 0 leaves it to Attempts.
	Window time.Duration
	// Base is the backoff before the second try; it doubles per try up to
	// Max. Each wait is drawn uniformly from [wait/2, wait] so that parallel
	// parts that failed together do not retry in lockstep.
	Base, Max time.Duration
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultPolicy retries a request for up to 2 minutes, backing off from
// 250 ms to 15 s: long enough to ride out a dropped Wi-Fi or a local store
// being restarted, short enough that a transfer that cannot go on says so
// while the user still waits for it. A transfer given up on keeps what it
// had done (ErrResumable).
var DefaultPolicy = Policy{Window: 2 * time.Minute, Base: 250 * time.Millisecond, Max: 15 * time.Second}

// storageFullTries is how often a request that found the storage full is
// tried: once more in case another upload's parts were just freed.
const storageFullTries = 2

// Backoff returns the wait before try number attempt+1 (attempt >= 1).
func (p Policy) Backoff(attempt int, r *rand.Rand) time.Duration {
	d := p.Base
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	if d <= 1 {
		return d
	}
	half := d / 2
	if r == nil {
		return half + rand.N(d-half+1)
	}
	return half + time.Duration(r.Int64N(int64(d-half)+1))
}

// Do runs op until it succeeds, fails permanently, the attempts or the
// window run out or ctx ends. The last error is returned, annotated with
// the number of tries.
func (p Policy) Do(ctx context.Context, op func() error) error {
	attempts := p.Attempts
	if attempts <= 0 && p.Window <= 0 {
		attempts = 1
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var err error
	var first time.Time
	for i := 1; ; i++ {
		if cerr := ctx.Err(); cerr != nil {
			return context.Cause(ctx)
		}
		err = op()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if !isTemporary(err) {
			return err
		}
		if first.IsZero() {
			first = time.Now()
		}
		if (attempts > 0 && i >= attempts) || (errors.Is(err, ErrStorageFull) && i >= storageFullTries) {
			return fmt.Errorf("gave up after %d tries: %w", i, err)
		}
		wait := p.Backoff(i, nil)
		if p.Window > 0 {
			left := p.Window - time.Since(first)
			if left <= 0 {
				return fmt.Errorf("gave up after %d tries in %v: %w", i, roughly(time.Since(first)), err)
			}
			// The last try comes at the window's end, not a backoff
			// after it.
			wait = min(wait, left)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return context.Cause(ctx)
		}
	}
}

// roughly rounds d for a message: to the second, or the millisecond below
// one.
func roughly(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retrying is a Store that retries transient failures of the Store it
// wraps. Bodies are rewound before each try, so a retry resends exactly the
// bytes of the first.
type Retrying struct {
	Store
	Policy Policy
}

var _ Store = (*Retrying)(nil)

func (r *Retrying) Head(ctx context.Context, key string) (info ObjectInfo, err error) {
	err = r.Policy.Do(ctx, func() error {
		info, err = r.Store.Head(ctx, key)
		return err
	})
	return info, err
}

// GetRange retries only the opening of the response; a body that breaks
// off mid-way is the caller's to resume, since only it knows how far it
// got.
func (r *Retrying) GetRange(ctx context.Context, key string, start, end int64, etag string) (body io.ReadCloser, h http.Header, err error) {
	err = r.Policy.Do(ctx, func() error {
		body, h, err = r.Store.GetRange(ctx, key, start, end, etag)
		return err
	})
	return body, h, err
}

func (r *Retrying) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, meta map[string]string) error {
	return r.Policy.Do(ctx, func() error {
		if _, err := body.Seek(0, io.SeekStart); err != nil {
			return Permanent(fmt.Errorf("failed to rewind the upload: %w", err))
		}
		return r.Store.Put(ctx, key, body, size, meta)
	})
}

func (r *Retrying) InitiateMultipart(ctx context.Context, key string, meta map[string]string) (id string, err error) {
	err = r.Policy.Do(ctx, func() error {
		id, err = r.Store.InitiateMultipart(ctx, key, meta)
		return err
	})
	return id, err
}

func (r *Retrying) UploadPart(ctx context.Context, key, uploadID string, number int, body io.ReadSeeker, size int64, meta map[string]string) (etag string, err error) {
	err = r.Policy.Do(ctx, func() error {
		if _, err := body.Seek(0, io.SeekStart); err != nil {
			return Permanent(fmt.Errorf("failed to rewind part %d: %w", number, err))
		}
		etag, err = r.Store.UploadPart(ctx, key, uploadID, number, body, size, meta)
		return err
	})
	return etag, err
}

func (r *Retrying) ListParts(ctx context.Context, key, uploadID string) (l PartListing, err error) {
	err = r.Policy.Do(ctx, func() error {
		l, err = r.Store.ListParts(ctx, key, uploadID)
		return err
	})
	return l, err
}

func (r *Retrying) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error {
	return r.Policy.Do(ctx, func() error {
		return r.Store.CompleteMultipart(ctx, key, uploadID, parts)
	})
}

func (r *Retrying) GetTagging(ctx context.Context, key string) (tags map[string]string, err error) {
	err = r.Policy.Do(ctx, func() error {
		tags, err = r.Store.GetTagging(ctx, key)
		return err
	})
	return tags, err
}

func (r *Retrying) PutTagging(ctx context.Context, key string, tags map[string]string) error {
	return r.Policy.Do(ctx, func() error {
		return r.Store.PutTagging(ctx, key, tags)
	})
}

func (r *Retrying) AbortMultipart(ctx context.Context, key, uploadID string) error {
	return r.Policy.Do(ctx, func() error {
		return r.Store.AbortMultipart(ctx, key, uploadID)
	})
}
