package transfer

import "fmt"

// Part-size limits. OSS allows at most 10,000 parts and needs every part but
// the last to be at least 100 KiB; client-side encryption needs the part
// size to be a multiple of the 16-byte AES block, so that every part starts
// on a counter boundary.
const (
	MinPartSize     = 100 << 10
	DefaultPartSize = 8 << 20
	MaxParts        = 10000
	// MaxObjectSize is OSS's limit for one object: 48.8 TB.
	MaxObjectSize = 48_800_000_000_000
)

// CheckPartSize reports whether n can be used as the minimum part size.
func CheckPartSize(n int64) error {
	switch {
	case n < MinPartSize:
		return fmt.Errorf("the part size must be at least %d bytes (100 KiB), not %d", MinPartSize, n)
	case n%16 != 0:
		return fmt.Errorf("the part size must be a multiple of 16 bytes, not %d", n)
	case n > 5<<30:
		return fmt.Errorf("the part size must be at most 5 GiB, not %d", n)
	}
	return nil
}

// span is a byte range [Off, Off+Len) of a file or object.
type span struct {
	Off, Len int64
}

// end is the last byte of the span (inclusive, as in HTTP ranges).
func (s span) end() int64 { return s.Off + s.Len - 1 }

// splitParts cuts size bytes into parts of partSize (the last may be
// shorter). Part N (1-based) is parts[N-1].
func splitParts(size, partSize int64) []span {
	if size <= 0 {
		return nil
	}
	n := (size + partSize - 1) / partSize
	out := make([]span, 0, n)
	for off := int64(0); off < size; off += partSize {
		out = append(out, span{Off: off, Len: min(partSize, size-off)})
	}
	return out
}

// splitRange cuts [start, end] into chunks that end on multiples of chunk
// measured from offset 0, so that chunk boundaries line up with the
// integrity MAC's chunks whatever the range.
func splitRange(start, end, chunk int64) []span {
	var out []span
	for off := start; off <= end; {
		next := min((off/chunk+1)*chunk, end+1)
		out = append(out, span{Off: off, Len: next - off})
		off = next
	}
	return out
}
