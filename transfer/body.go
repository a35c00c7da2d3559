package transfer

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/ossvault/ossvault/envelope"
)

// cipherSection is the bytes [off, off+n) of src, encrypted at their own
// counter offset when key is set, sent as they are when it is nil (the
// uploader's parts, encrypted in memory already). It is an io.ReadSeeker
// whose rewind undoes the progress it counted, so a retry resends exactly
// the same bytes.
//
// An HTTP client may go on reading a request's body after the request
// returned (a canceled request's body is closed in the background), and
// the SDK does not pass Close on; end, called when the request returned,
// waits for a read in progress and fails every later one, so that the
// buffer behind src can be used again and nothing of it is sent after.
type cipherSection struct {
	src   io.ReaderAt
	key   *envelope.DataKey // nil: send the plaintext as-is
	off   int64
	n     int64
	pos   int64
	count *atomic.Int64 // bytes read across all sections, for progress

	mu    sync.Mutex
	ended bool
}

// errBodyEnded is what a body read after its request returned gets.
var errBodyEnded = errors.New("the request's body was read after the request ended")

// end fails every read from now on; see cipherSection.
func (c *cipherSection) end() {
	c.mu.Lock()
	c.ended = true
	c.mu.Unlock()
}

func (c *cipherSection) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return 0, errBodyEnded
	}
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
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return 0, errBodyEnded
	}
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
