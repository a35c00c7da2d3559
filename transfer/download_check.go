package transfer

import (
	"context"
	"fmt"
	"io"

	"github.com/ossvault/ossvault/envelope"
)

// Check reads the whole object through, decrypting and verifying it, and
// keeps nothing.
func (d *Downloader) Check(ctx context.Context, src Reader, key string, progress Progress) (*Result, error) {
	return d.check(ctx, src, key, discardAt{}, progress)
}

// Stream reads the whole object through, decrypting and verifying it, and
// writes the plaintext to w in order, so that it can be passed on without
// ever touching a disk (sharing re-encrypts this way). The integrity
// verdict comes last: w has had every byte when Stream returns an error
// matching envelope.ErrIntegrity, so w's reader must treat what it got as
// void until Stream returned nil (an io.Pipe closed with Stream's error
// does). Pieces are fetched one at a time, in order.
func (d *Downloader) Stream(ctx context.Context, src Reader, key string, w io.Writer, progress Progress) (*Result, error) {
	seq := *d
	seq.Parts = 1
	return seq.check(ctx, src, key, &inOrder{w: w}, progress)
}

// inOrder turns in-order WriteAt calls into Writes. A piece written again
// (a retried range) is skipped up to what was already passed on; a gap is
// an error, never a silent hole.
type inOrder struct {
	w   io.Writer
	pos int64
}

func (o *inOrder) WriteAt(p []byte, off int64) (int, error) {
	n := len(p)
	if off < o.pos {
		skip := min(o.pos-off, int64(len(p)))
		p, off = p[skip:], off+skip
	}
	if off != o.pos {
		return 0, fmt.Errorf("a piece at offset %d came before the bytes from %d", off, o.pos)
	}
	m, err := o.w.Write(p)
	o.pos += int64(m)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (d *Downloader) check(ctx context.Context, src Reader, key string, w io.WriterAt, progress Progress) (*Result, error) {
	p, err := d.prepare(ctx, src, key, nil)
	if err != nil {
		return refused(p, err)
	}
	res := &Result{Info: p.info, Envelope: p.env}
	var ver *envelope.Verifier
	if p.env != nil {
		ver = envelope.NewVerifier(p.env, p.dk)
	}
	if err := d.fetch(ctx, fetchJob{src: src, key: key, p: p, w: w, ver: ver}, progress); err != nil {
		return refused(p, err)
	}
	res.Written = p.end - p.start + 1
	if ver != nil {
		res.Integrity, err = ver.Finish()
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }
