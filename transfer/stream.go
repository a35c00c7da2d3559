package transfer

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
)

// DefaultStreamPartSize is the part size of a stream when the Uploader
// names none: the part size is fixed before the stream's size is known,
// and 10,000 parts of 64 MiB hold 625 GiB.
const DefaultStreamPartSize = 64 << 20

// ErrStreamNotStored is matched by UploadStream's errors: a stream is read
// once, so an upload of one that fails cannot resume.
var ErrStreamNotStored = errors.New("a stream cannot be read twice, so it must be sent again")

// MaxStreamSize is the most bytes UploadStream takes in parts of partSize
// (DefaultStreamPartSize if 0): 10,000 parts, within OSS's object limit and
// the chunks an integrity verifier holds.
func MaxStreamSize(partSize int64) int64 {
	_, limit := envelope.StreamLimits(cmp.Or(partSize, DefaultStreamPartSize))
	return min(limit, MaxObjectSize)
}

// UploadStream encrypts everything r yields, until io.EOF, into job.Key;
// job.Source only names the stream in messages. Each byte is read once,
// into a part buffer that is encrypted, hashed and sent from there. A
// stream that ends within its first part (u.PartSize, or
// DefaultStreamPartSize) goes up in one PutObject, with its size; a longer
// one in parts of that size, with its size and MAC as object tags (see
// envelope.TrailerHeaders). At most u.Parts parts are in memory and in
// flight at once, plus the one being read.
//
// Nothing is journaled for a resume: the stream cannot be read again.
// Whatever ends the upload early (ctx, a failure that outlasts the
// retries, a stall, a stream longer than MaxStreamSize) aborts the
// multipart upload, and the error matches ErrStreamNotStored. With a
// Journal, the multipart upload is noted as a possible orphan while it
// runs (noteStream), so that one left behind by a killed process is
// listed by Journal.Own.
func (u *Uploader) UploadStream(ctx context.Context, r io.Reader, job UploadJob, progress Progress) error {
	u = u.forJob(job)
	if job.NoOverwrite {
		ctx = WithNoOverwrite(ctx)
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	ps := cmp.Or(u.PartSize, DefaultStreamPartSize)
	if err := CheckPartSize(ps); err != nil {
		return fmt.Errorf("failed to upload %s: %w; %w", safetext.Name(job.Source), err, ErrStreamNotStored)
	}
	err := u.uploadStream(ctx, r, job, ps, progress)
	if err != nil {
		return fmt.Errorf("failed to upload %s: %w; %w", safetext.Name(job.Source), err, ErrStreamNotStored)
	}
	return nil
}

func (u *Uploader) uploadStream(ctx context.Context, r io.Reader, job UploadJob, ps int64, progress Progress) error {
	first := make([]byte, ps)
	n, err := readStream(ctx, r, first)
	if err != nil {
		return err
	}
	if n < ps {
		return u.putBuffer(ctx, job, first[:n], progress)
	}
	env, _, sum, err := u.seal(ctx, job, envelope.SizeUnknown, ps)
	if err != nil {
		return err
	}
	defer sum.Close()
	// Neither the MAC nor the size exists yet: Meta leaves both out, and
	// they follow the parts as tags.
	meta := env.Meta()
	uploadID, err := u.st().InitiateMultipart(ctx, job.Key, meta)
	if err != nil {
		return err
	}
	rec := &uploadRecord{
		Record: Record{Kind: "upload", Source: job.Source, Dest: "oss://" + job.Bucket + "/" + job.Key, Created: u.now().UTC()},
		Bucket: job.Bucket, Key: job.Key, PartSize: ps, UploadID: uploadID, Meta: meta,
	}
	forget, err := u.noteStream(rec)
	if err != nil {
		if aerr := u.abort(rec); aerr != nil {
			err = fmt.Errorf("%w; %w", err, aerr)
		}
		return err
	}
	err = u.sendStream(ctx, r, first, rec, sum, progress)
	if err == nil {
		err = u.sign(env)
	}
	if err == nil {
		rec.Trailers = envelope.Trailers(meta, env.Meta())
		rec.leafTable = leafTable(sum)
		err = u.completeAndTag(ctx, rec)
		if errors.Is(err, errTagsNotWritten) {
			forget(true)
			return err // completed: nothing left to abort
		}
	}
	if err != nil {
		// A failed abort keeps the note (abort writes it itself when
		// there is a journal), and says so.
		aerr := u.abort(rec)
		forget(aerr == nil)
		if aerr != nil {
			err = fmt.Errorf("%w; %w", err, aerr)
		}
		return err
	}
	forget(true)
	return nil
}

// noteStream keeps an orphan note of a stream's multipart upload in the
// journal, if there is one, before its first part is sent: a stream is
// never journaled for a resume, so without the note a process killed
// mid-stream (SIGKILL, power loss) would leave parts on the server that
// `ossvault uploads` does not list. The note's lock is held while the
// stream runs, so that Own shows the upload as running and AbortOwn leaves
// it alone. forget(true) removes the note once the upload is completed or
// aborted; forget(false) keeps it (the abort failed); either releases the
// lock.
func (u *Uploader) noteStream(rec *uploadRecord) (forget func(drop bool), err error) {
	if u.Journal == nil {
		return func(bool) {}, nil
	}
	id := orphanID(rec.Bucket, rec.Key, rec.UploadID)
	unlock, err := u.Journal.Lock(id)
	if err != nil {
		return nil, err
	}
	if err := u.Journal.noteOrphan(rec); err != nil {
		unlock()
		return nil, err
	}
	return func(drop bool) {
		if drop {
			u.Journal.Remove(id)
		}
		unlock()
	}, nil
}

// readStream fills buf from r and returns how many bytes it holds: fewer
// than len(buf) only at the end of the stream. It returns when ctx ends
// even if r blocks (a pipe whose writer is idle): the read then goes on in
// the background, and buf must not be used again.
func readStream(ctx context.Context, r io.Reader, buf []byte) (int64, error) {
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := io.ReadFull(r, buf)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		if res.err != nil && !errors.Is(res.err, io.EOF) && !errors.Is(res.err, io.ErrUnexpectedEOF) {
			return 0, fmt.Errorf("failed to read the stream: %w", res.err)
		}
		return int64(res.n), nil
	case <-ctx.Done():
		return 0, context.Cause(ctx)
	}
}

// sendStream reads the stream part by part after first (the first part,
// already read), seals each part in order and sends it, several at once.
// When the stream ends it fixes the size in sum before the last, short
// part is sealed, and finally computes the MAC (sum.Finish).
func (u *Uploader) sendStream(ctx context.Context, r io.Reader, first []byte, rec *uploadRecord, sum *envelope.Summer, progress Progress) error {
	var sent, read atomic.Int64
	read.Store(int64(len(first)))
	stop := report(&sent, -1, progress)
	defer stop()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Both count as movement: a stream's writer may pause for long (a
	// database dump between tables) while nothing is in flight.
	go watchStall(ctx, cancel, u.StallTimeout, &sent, &read)

	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(max(u.Parts, 0), 4))
	readErr := streamParts(gctx, r, first, rec.PartSize, sum, &read, func(n int, bp *[]byte, buf []byte) bool {
		if gctx.Err() != nil {
			return false
		}
		g.Go(func() error {
			if bp != nil {
				defer partBufs.Put(bp)
			}
			got := int64(len(buf))
			body := &cipherSection{src: bytes.NewReader(buf), n: got, count: &sent}
			etag, err := u.st().UploadPart(gctx, rec.Key, rec.UploadID, n, body, got, rec.Meta)
			body.end()
			if err != nil {
				return fmt.Errorf("part %d: %w", n, err)
			}
			mu.Lock()
			defer mu.Unlock()
			rec.Parts = append(rec.Parts, Part{Number: n, ETag: etag, Size: got})
			return nil
		})
		return true
	})
	err := g.Wait()
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		return c
	}
	if err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	sort.Slice(rec.Parts, func(i, k int) bool { return rec.Parts[i].Number < rec.Parts[k].Number })
	for i, p := range rec.Parts {
		if p.Number != i+1 {
			return Permanent(fmt.Errorf("part %d is missing", i+1))
		}
	}
	return sum.Finish()
}

// streamParts reads the stream in parts of ps bytes, the first being
// first (already read), seals each in order and hands it to send, with
// the pooled buffer that holds it (nil for first), until the stream ends
// or send returns false. When the stream ends it fixes the size in sum
// before the last, short part is sealed. It returns what ended the
// reading early: the stream's error, or a stream longer than
// MaxStreamSize.
func streamParts(ctx context.Context, r io.Reader, first []byte, ps int64, sum *envelope.Summer, read *atomic.Int64, send func(n int, bp *[]byte, buf []byte) bool) error {
	limit := MaxStreamSize(ps)
	var off int64
	for n := 1; ; n++ {
		var bp *[]byte
		buf := first
		got := int64(len(first))
		if n > 1 {
			bp = getPartBuf(ps)
			buf = *bp
			var err error
			if got, err = readStream(ctx, r, buf); err != nil {
				return err // buf may still be written to: not returned to the pool
			}
			read.Add(got)
		}
		if got > 0 && (n > MaxParts || off+got > limit) {
			return Permanent(fmt.Errorf("the stream is longer than the %d bytes that %d parts of %d bytes hold; use a larger --part-size", limit, MaxParts, ps))
		}
		if got < ps {
			if err := sum.SetSize(off + got); err != nil {
				return Permanent(err)
			}
		}
		if got == 0 {
			if bp != nil {
				partBufs.Put(bp)
			}
			return nil
		}
		buf = buf[:got]
		if _, err := sum.Seal(off, buf); err != nil {
			return Permanent(err)
		}
		if !send(n, bp, buf) {
			return nil
		}
		off += got
		if got < ps {
			return nil
		}
	}
}
