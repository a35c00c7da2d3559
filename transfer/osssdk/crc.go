package osssdk

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/internal/crc64ecma"
)

// crcBody is a request body that computes the CRC-64 of what the request
// read from it, as the SDK's own check does, with crc64ecma instead of
// hash/crc64: the same value for a fraction of the CPU time. A rewind to
// the start (a request sent again) starts the CRC again; a rewind
// elsewhere makes check fail, since the bytes read no longer follow one
// another.
type crcBody struct {
	r      io.ReadSeeker
	crc    uint64
	broken bool
}

func (c *crcBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = crc64ecma.Update(c.crc, p[:n])
	return n, err
}

func (c *crcBody) Seek(offset int64, whence int) (int64, error) {
	pos, err := c.r.Seek(offset, whence)
	if err == nil && pos == 0 {
		c.crc, c.broken = 0, false
	} else {
		c.broken = true
	}
	return pos, err
}

// errCRC is a body that did not arrive as it was sent, or whose CRC the
// server did not give: as with the SDK's own check, the call fails and is
// retried like any failure on the way.
var errCRC = errors.New("the CRC-64 of what the server stored is not that of what was sent")

// check compares the CRC of what was sent with the server's
// x-oss-hash-crc64ecma, as the SDK does for the calls whose check is its
// own: a missing or different value fails.
func (c *crcBody) check(op string, h http.Header) error {
	v := h.Get("X-Oss-Hash-Crc64ecma")
	srv, err := strconv.ParseUint(v, 10, 64)
	if c.broken || err != nil || srv != c.crc {
		return transfer.NetError(op, fmt.Errorf("%w (client %d, server %q)", errCRC, c.crc, v))
	}
	return nil
}
