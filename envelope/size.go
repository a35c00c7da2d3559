package envelope

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxParts is OSS's limit on the number of parts of one multipart upload.
const MaxParts = 10000

// PartSize returns the multipart part size for an object of size bytes: the
// smallest multiple of 16 that is at least min and lets size fit in
// MaxParts parts. When the result is at least ChunkSizeFor(size) it is
// rounded up to a multiple of that chunk size, so part boundaries, and
// therefore ranged downloads by part, fall on integrity chunks.
func PartSize(size, min int64) int64 {
	size = max(size, 0)
	p := roundUp(max(min, 1), 16)
	p = max(p, roundUp((size+MaxParts-1)/MaxParts, 16))
	if c := ChunkSizeFor(size); p >= c {
		p = roundUp(p, c)
	}
	return p
}

func roundUp(n, m int64) int64 {
	return (n + m - 1) / m * m
}

// ParseContentRange parses a Content-Range response header of the form
// "bytes START-END/TOTAL". total is -1 when the server sent "*". The start
// is the object offset of the first byte of the body, the offset to give
// NewReader; it is right for suffix and open-ended requests too, since it is
// what the server actually sent.
func ParseContentRange(s string) (start, end, total int64, err error) {
	bad := func(why string) (int64, int64, int64, error) {
		return 0, 0, 0, fmt.Errorf("failed to parse Content-Range %q: %s", s, why)
	}
	unit, rest, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return bad(`it does not start with "bytes "`)
	}
	rng, tot, ok := strings.Cut(strings.TrimSpace(rest), "/")
	if !ok {
		return bad("no total length")
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return bad("no byte range (an unsatisfied range has no body to decrypt)")
	}
	if start, err = parseNonNeg(a); err != nil {
		return bad("bad start")
	}
	if end, err = parseNonNeg(b); err != nil {
		return bad("bad end")
	}
	if end < start {
		return bad("end before start")
	}
	total = -1
	if tot != "*" {
		if total, err = parseNonNeg(tot); err != nil {
			return bad("bad total length")
		}
		if end >= total {
			return bad("range beyond the total length")
		}
	}
	return start, end, total, nil
}

var errNotDecimal = errors.New("not a non-negative decimal integer")

// parseNonNeg parses plain decimal digits only (no sign, no spaces).
func parseNonNeg(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errNotDecimal
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errNotDecimal
	}
	return n, nil
}

// StreamLimits returns the integrity chunk size of a stream sent in parts
// of partSize (a multiple of 16), whose size is unknown until it ends, and
// the most bytes such a stream can hold: MaxParts parts, in no more chunks
// than a verifier holds. The chunk size must be fixed when the upload
// starts, before the size is known, so it is the one ChunkSizeForParts
// gives the largest stream the part size allows: parts are whole chunks,
// and the chunk grows with the part size so that large parts still reach
// the part limit.
func StreamLimits(partSize int64) (chunk, limit int64) {
	most := MaxParts * partSize
	chunk = ChunkSizeForParts(most, partSize)
	return chunk, min(most, maxLeaves*chunk)
}
