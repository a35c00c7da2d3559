package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// NewDataKey draws a fresh content key and initial counter block from rand
// (crypto/rand when rand is nil). The counter block has the layout every SDK
// writes: 8 random bytes, 4 zero bytes, 4 random bytes. The zero bytes leave
// at least 2^32 blocks (64 GiB) before the low 64 bits could carry, the
// precondition under which the SDKs' 64-bit seek functions agree with a
// true 128-bit counter.
func NewDataKey(rand io.Reader) (*DataKey, error) {
	if rand == nil {
		rand = cryptoRand
	}
	k := new(DataKey)
	if _, err := io.ReadFull(rand, k.Key[:]); err != nil {
		return nil, fmt.Errorf("failed to draw a data key: %w", err)
	}
	var r [12]byte
	if _, err := io.ReadFull(rand, r[:]); err != nil {
		return nil, fmt.Errorf("failed to draw an initial counter: %w", err)
	}
	copy(k.IV[0:8], r[0:8])
	copy(k.IV[12:16], r[8:12])
	return k, nil
}

var cryptoRand = rand.Reader

// counterAt returns the counter block for the 16-byte block number blocks,
// adding across all 128 bits as Go's cipher.NewCTR, OpenSSL and Python do.
func counterAt(iv [16]byte, blocks uint64) [16]byte {
	lo := binary.BigEndian.Uint64(iv[8:])
	hi := binary.BigEndian.Uint64(iv[:8])
	sum := lo + blocks
	if sum < lo {
		hi++
	}
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], hi)
	binary.BigEndian.PutUint64(out[8:], sum)
	return out
}

// streamAt returns a CTR keystream positioned at byte offset of the object.
// A negative offset is a programming error, as a negative slice index is.
func (k *DataKey) streamAt(offset int64) cipher.Stream {
	if offset < 0 {
		panic(errNegativeOffset)
	}
	block, err := aes.NewCipher(k.Key[:])
	if err != nil {
		// Unreachable: the key is always 32 bytes.
		panic(err)
	}
	ctr := counterAt(k.IV, uint64(offset)/aes.BlockSize)
	s := cipher.NewCTR(block, ctr[:])
	if skip := int(offset % aes.BlockSize); skip > 0 {
		var junk [aes.BlockSize]byte
		s.XORKeyStream(junk[:skip], junk[:skip])
	}
	return s
}

// XORKeyStreamAt encrypts or decrypts src into dst (which may overlap src
// exactly) as the bytes that sit at offset in the object. len(dst) must be
// at least len(src).
func (k *DataKey) XORKeyStreamAt(dst, src []byte, offset int64) {
	k.streamAt(offset).XORKeyStream(dst[:len(src)], src)
}

// PartIV returns the initial counter block of multipart part number part
// (1-based) for a fixed partSize, the value every SDK uses for that part:
// IV + (part-1)*partSize/16.
func (k *DataKey) PartIV(part int, partSize int64) ([16]byte, error) {
	if part < 1 || partSize <= 0 || partSize%aes.BlockSize != 0 {
		return [16]byte{}, errors.New("part numbers start at 1 and the part size must be a positive multiple of 16")
	}
	return counterAt(k.IV, uint64(part-1)*uint64(partSize/aes.BlockSize)), nil
}

// NewReader returns a reader that encrypts or decrypts src (CTR is its own
// inverse), whose first byte sits at offset in the object. Use the start of
// the response's Content-Range (see ParseContentRange) as offset, never the
// requested range: the keystream can start anywhere, so no alignment is needed.
func NewReader(src io.Reader, k *DataKey, offset int64) io.Reader {
	if offset < 0 {
		return &ctrReader{err: errNegativeOffset}
	}
	return &ctrReader{src: src, s: k.streamAt(offset)}
}

var errNegativeOffset = errors.New("envelope: negative object offset")

type ctrReader struct {
	src io.Reader
	s   cipher.Stream
	err error
}

func (r *ctrReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.src.Read(p)
	if n > 0 {
		r.s.XORKeyStream(p[:n], p[:n])
	}
	return n, err
}

// NewWriter returns a writer that encrypts or decrypts everything written to
// it into dst, the first byte written sitting at offset in the object. It
// never modifies the caller's buffer. After dst fails, every later Write
// returns the same error: the keystream position would no longer match.
func NewWriter(dst io.Writer, k *DataKey, offset int64) io.Writer {
	if offset < 0 {
		return &ctrWriter{err: errNegativeOffset}
	}
	return &ctrWriter{dst: dst, s: k.streamAt(offset)}
}

type ctrWriter struct {
	dst io.Writer
	s   cipher.Stream
	err error
}

// writeChunk bounds the scratch buffer; large enough that the extra copy to
// dst costs nothing measurable.
const writeChunk = 256 << 10

var writeBufs = sync.Pool{New: func() any { b := make([]byte, writeChunk); return &b }}

func (w *ctrWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	bp := writeBufs.Get().(*[]byte)
	defer writeBufs.Put(bp)
	buf := *bp
	written := 0
	for len(p) > 0 {
		n := min(len(p), len(buf))
		w.s.XORKeyStream(buf[:n], p[:n])
		m, err := w.dst.Write(buf[:n])
		written += m
		if err == nil && m < n {
			err = io.ErrShortWrite
		}
		if err != nil {
			w.err = err
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}

// EncryptedSize returns the stored size of a plaintext of n bytes. CTR
// preserves length, so both size functions are the identity; they exist so
// callers do not bake that in.
func EncryptedSize(n int64) int64 { return n }

// DecryptedSize returns the plaintext size of a stored object of n bytes.
func DecryptedSize(n int64) int64 { return n }
