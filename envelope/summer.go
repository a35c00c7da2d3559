package envelope

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// leafSet holds the leaves of one object as they arrive, in any order and
// from many goroutines. The Verifier, Sum and the Summer all fill one, so
// the leaf and root computation exists once. A set whose size is
// SizeUnknown (a stream) grows as whole chunks arrive, up to maxLeaves,
// until setSize fixes the size.
type leafSet struct {
	s      *macScheme
	mk     []byte
	chunk  int64
	size   int64
	n      int64
	mu     sync.Mutex
	leaves []byte
	have   []bool
}

func newLeafSet(s *macScheme, k *DataKey, chunk, size int64) *leafSet {
	ls := &leafSet{s: s, mk: s.macKey(k), chunk: chunk, size: size}
	if size >= 0 {
		ls.grow(numChunks(size, chunk))
	}
	return ls
}

// grow makes room for n chunks. The caller holds ls.mu (or owns ls).
func (ls *leafSet) grow(n int64) {
	if n <= ls.n {
		return
	}
	if int64(cap(ls.have)) < n {
		c := max(n, 2*int64(cap(ls.have)))
		if ls.size >= 0 {
			c = n
		}
		have := make([]bool, n, c)
		copy(have, ls.have)
		leaves := make([]byte, n*macSize, c*macSize)
		copy(leaves, ls.leaves)
		ls.have, ls.leaves = have, leaves
	} else {
		ls.have = ls.have[:n]
		ls.leaves = ls.leaves[:n*macSize]
	}
	ls.n = n
}

// errTooLong is the answer for a stream past the chunks a verifier holds.
var errTooLong = errors.New("longer than the integrity check can cover")

// setSize fixes the size of a set started with SizeUnknown. Every chunk
// recorded so far must lie within it, and only the last chunk may be
// short, so a chunk recorded whole where the object ends mid-chunk fails.
func (ls *leafSet) setSize(size int64) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.size >= 0 {
		if size == ls.size {
			return nil
		}
		return fmt.Errorf("the size is already %d bytes, not %d", ls.size, size)
	}
	n := numChunks(size, ls.chunk)
	if n > maxLeaves {
		return fmt.Errorf("%d bytes in chunks of %d bytes are %w", size, ls.chunk, errTooLong)
	}
	for i := n; i < ls.n; i++ {
		if ls.have[i] {
			return fmt.Errorf("chunks were recorded beyond the size of %d bytes", size)
		}
	}
	if size%ls.chunk != 0 && n <= ls.n && ls.have[n-1] {
		return fmt.Errorf("a whole chunk was recorded where the object ends, at %d bytes", size)
	}
	ls.grow(n)
	ls.size = size
	return nil
}

// errConflict is hashCiphertext's answer when a chunk comes again with
// other content; the callers word it for their side.
var errConflict = errors.New("chunk added twice with different content")

// checkSpan reports whether len bytes at off are whole chunks of the
// object or end it. Bytes beyond the size are errBeyond.
func (ls *leafSet) checkSpan(off, n int64) error {
	if off < 0 || off%ls.chunk != 0 {
		return fmt.Errorf("offset %d is not a multiple of the chunk size %d", off, ls.chunk)
	}
	ls.mu.Lock()
	size := ls.size
	ls.mu.Unlock()
	if size < 0 {
		// A stream before its end: whole chunks only (its last, short
		// chunk comes after setSize), within what a verifier holds.
		if n%ls.chunk != 0 {
			return fmt.Errorf("%d bytes at offset %d are not whole chunks of %d bytes, and the object's size is not known yet", n, off, ls.chunk)
		}
		if numChunks(off+n, ls.chunk) > maxLeaves {
			return fmt.Errorf("%d bytes in chunks of %d bytes are %w", off+n, ls.chunk, errTooLong)
		}
		return nil
	}
	if off+n > size {
		return errBeyond
	}
	if n%ls.chunk != 0 && off+n != size {
		return fmt.Errorf("%d bytes at offset %d neither fill whole chunks of %d bytes nor end the object", n, off, ls.chunk)
	}
	return nil
}

var errBeyond = errors.New("beyond the recorded size")

// hashCiphertext computes and records the leaves of ciphertext ct at
// object offset off (checked by checkSpan), with h a hash from ls.s.newMAC
// that it may reset. It returns errConflict when a chunk already recorded
// had other content; the new leaves are recorded either way.
func (ls *leafSet) hashCiphertext(h hash.Hash, off int64, ct []byte) error {
	var conflict bool
	for len(ct) > 0 {
		c := ct[:min(int64(len(ct)), ls.chunk)]
		i := off / ls.chunk
		l := leaf(h, i, c)
		c2, err := ls.put(i, l[:])
		if err != nil {
			return err
		}
		conflict = conflict || c2
		off += int64(len(c))
		ct = ct[len(c):]
	}
	if conflict {
		return errConflict
	}
	return nil
}

// put records leaf i and reports whether it replaced a different one. A
// leaf beyond the size fails with errBeyond (the size of a stream may have
// been fixed since its span was checked).
func (ls *leafSet) put(i int64, l []byte) (conflict bool, err error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if i >= ls.n {
		if ls.size >= 0 {
			return false, errBeyond
		}
		ls.grow(i + 1)
	}
	slot := ls.leaves[i*macSize : (i+1)*macSize]
	conflict = ls.have[i] && !hmac.Equal(slot, l)
	copy(slot, l)
	ls.have[i] = true
	return conflict, nil
}

// missing counts the chunks never recorded. The caller holds ls.mu.
func (ls *leafSet) missing() int {
	m := 0
	for _, ok := range ls.have {
		if !ok {
			m++
		}
	}
	return m
}

// Summer computes the integrity MAC of an object while it is encrypted
// part by part, so that what is sent is the very buffer that was hashed:
// the uploader reads each byte of the source once. Parts may be added in
// any order and from several goroutines. Leaves of parts encrypted by an
// earlier process (kept in its journal) are added with AddLeaves.
type Summer struct {
	e  *Envelope
	k  *DataKey
	in *Integrity
	ls *leafSet
}

// ErrChanged is wrapped by the error of a Summer given the same part twice
// with different content: under one data key and counter that would send
// two plaintexts through one keystream, so the caller must start over with
// a fresh data key.
var ErrChanged = errors.New("the same part was encrypted twice with different content")

// SizeUnknown is the size given to NewSummer for a stream, whose size is
// known only at its end (SetSize). Until then Integrity.Size holds it, and
// Meta leaves ossvault-size out: it follows the content as a trailer.
const SizeUnknown = -1

// NewSummer starts the MAC of an object of size bytes in integrity chunks
// of chunkSize (ChunkSizeFor(size), or ChunkSizeForParts for a multipart
// upload, or StreamLimits for a stream of SizeUnknown), encrypted under k.
// It sets e.Integrity at once, without its MAC, so that e.Meta can be sent
// before the content; Finish sets the MAC. Every other field of e must be
// final: the MAC covers them all.
func NewSummer(e *Envelope, k *DataKey, size, chunkSize int64) (*Summer, error) {
	if size < 0 && size != SizeUnknown {
		return nil, errors.New("failed to start the integrity MAC: negative size")
	}
	if chunkSize < 16 || chunkSize%16 != 0 || chunkSize > maxChunkSize || numChunks(max(size, 0), chunkSize) > maxReadLeaves {
		return nil, fmt.Errorf("failed to start the integrity MAC: chunk size %d does not suit %d bytes", chunkSize, size)
	}
	if err := checkKey(e, k); err != nil {
		return nil, fmt.Errorf("failed to start the integrity MAC: %w", err)
	}
	s, err := writeScheme(e)
	if err != nil {
		return nil, fmt.Errorf("failed to start the integrity MAC: %w", err)
	}
	in := &Integrity{Alg: s.alg, ChunkSize: chunkSize, Size: size}
	e.Integrity = in
	return &Summer{e: e, k: k, in: in, ls: newLeafSet(s, k, chunkSize, size)}, nil
}

// ChunkSizeForParts is the integrity chunk size of an object of size bytes
// sent in parts of partSize (as PartSize chooses them): ChunkSizeFor(size),
// or the part size itself when parts are smaller, so that every part is
// whole chunks and its leaves can be computed from its own buffer.
func ChunkSizeForParts(size, partSize int64) int64 {
	c := ChunkSizeFor(size)
	if partSize > 0 && partSize%c != 0 {
		if partSize < c && partSize%16 == 0 {
			return partSize
		}
		// PartSize never returns such a size; any multiple of 16 that
		// divides it still works.
		for c > 16 && partSize%c != 0 {
			c /= 2
		}
	}
	return c
}

// Seal encrypts p, the plaintext at object offset off, in place and records
// its leaves, which it returns (32 bytes per chunk) for the caller to keep
// with its progress. off must be a multiple of the chunk size and p whole
// chunks or the end of the object; a stream's short last part is sealed
// after SetSize. A part sealed before with other content
// fails with an error wrapping ErrChanged; its leaves then replace the old
// ones, and the caller must not send it.
func (s *Summer) Seal(off int64, p []byte) ([]byte, error) {
	if err := s.ls.checkSpan(off, int64(len(p))); err != nil {
		return nil, fmt.Errorf("failed to compute the integrity MAC: %w", err)
	}
	s.k.XORKeyStreamAt(p, p, off)
	if err := s.ls.hashCiphertext(s.ls.s.newMAC(s.ls.mk), off, p); errors.Is(err, errConflict) {
		return nil, fmt.Errorf("%w at offset %d", ErrChanged, off)
	} else if err != nil {
		return nil, fmt.Errorf("failed to compute the integrity MAC: %w", err)
	}
	return s.Leaves(off, int64(len(p))), nil
}

// Leaves returns the recorded leaves of the n bytes at off.
func (s *Summer) Leaves(off, n int64) []byte {
	i, j := off/s.in.ChunkSize, numChunks(off+n, s.in.ChunkSize)
	s.ls.mu.Lock()
	defer s.ls.mu.Unlock()
	return append([]byte(nil), s.ls.leaves[i*macSize:j*macSize]...)
}

// AddLeaves records leaves that Seal returned for the n bytes at off, in
// this process or an earlier one.
func (s *Summer) AddLeaves(off, n int64, leaves []byte) error {
	if err := s.ls.checkSpan(off, n); err != nil {
		return fmt.Errorf("failed to add integrity leaves: %w", err)
	}
	i := off / s.in.ChunkSize
	if int64(len(leaves)) != (numChunks(off+n, s.in.ChunkSize)-i)*macSize {
		return fmt.Errorf("failed to add integrity leaves: %d bytes for %d bytes of content", len(leaves), n)
	}
	for ; len(leaves) > 0; i++ {
		conflict, err := s.ls.put(i, leaves[:macSize])
		if err != nil {
			return fmt.Errorf("failed to add integrity leaves: %w", err)
		}
		if conflict {
			return fmt.Errorf("%w at offset %d", ErrChanged, i*s.in.ChunkSize)
		}
		leaves = leaves[macSize:]
	}
	return nil
}

// SetSize fixes the size of an object started with SizeUnknown, once the
// stream has ended: in e.Integrity too, so that Meta then carries it. Every
// part sealed before must lie within it.
func (s *Summer) SetSize(size int64) error {
	if size < 0 {
		return errors.New("failed to compute the integrity MAC: negative size")
	}
	if err := s.ls.setSize(size); err != nil {
		return fmt.Errorf("failed to compute the integrity MAC: %w", err)
	}
	s.ls.mu.Lock()
	s.in.Size = size
	s.ls.mu.Unlock()
	return nil
}

// Finish computes the MAC once every chunk is recorded and sets it in
// e.Integrity.
func (s *Summer) Finish() error {
	s.ls.mu.Lock()
	defer s.ls.mu.Unlock()
	if s.ls.size < 0 {
		return errors.New("failed to compute the integrity MAC: the stream's size was never set")
	}
	if m := s.ls.missing(); m > 0 {
		return fmt.Errorf("failed to compute the integrity MAC: %d of %d chunks were never encrypted", m, s.ls.n)
	}
	s.in.MAC = s.ls.s.rootMAC(s.ls.mk, s.e, s.in, s.ls.leaves)
	return nil
}

// Envelope returns the envelope the Summer completes.
func (s *Summer) Envelope() *Envelope { return s.e }

// Close forgets the MAC key.
func (s *Summer) Close() {
	clear(s.ls.mk)
}
