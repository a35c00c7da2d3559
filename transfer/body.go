package transfer

import (
	"errors"
	"io"
	"sync/atomic"

	"github.com/ossvault/ossvault/envelope"
)

// cipherSection is the bytes [off, off+n) of src, encrypted at their own
// counter offset when key is set, sent as they are when it is nil (the
// uploader's parts, encrypted in memory already). It is an io.ReadSeeker
// whose rewind undoes the progress it counted, so a retry resends exactly
// the same bytes.
type cipherSection struct {
	src   io.ReaderAt
	key   *envelope.DataKey // nil: send the plaintext as-is
	off   int64
	n     int64
	pos   int64
	count *atomic.Int64 // bytes read across all sections, for progress
}

func (c *cipherSection) Read(p []byte) (int, error) {
	if c.pos >= c.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), c.n-c.pos)]
	n, err := c.src.ReadAt(p, c.off+c.pos)
	if n > 0 && c.key != nil {
		c.key.XORKeyStreamAt(p[:n], p[:n], c.off+c.pos)
	}
	c.pos += int64(n)
	if c.count != nil {
		c.count.Add(int64(n))
	}
	if err == io.EOF {
		if c.pos < c.n {
			err = io.ErrUnexpectedEOF
		} else {
			err = nil
		}
	}
	return n, err
}

func (c *cipherSection) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = c.pos + offset
	case io.SeekEnd:
		abs = c.n + offset
	default:
		return 0, errors.New("cipherSection.Seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("cipherSection.Seek: negative position")
	}
	if c.count != nil {
		// Bytes sent by an attempt that failed no longer count as done.
		c.count.Add(min(abs, c.n) - min(c.pos, c.n))
	}
	c.pos = abs
	return abs, nil
}
