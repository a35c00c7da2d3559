package envelope

import (
	"crypto/cipher"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Verifier checks a downloaded object against its integrity MAC when the
// object arrives in pieces, in any order and from several goroutines (a
// parallel ranged download). It is safe for concurrent use.
type Verifier struct {
	e       *Envelope
	in      *Integrity // nil: nothing to verify
	unknown error      // set when the object names a construction this version does not know, or its MAC was stripped
	k       *DataKey
	ls      *leafSet
	known   *knownLeaves // a range Verifier's leaf table (leaftable.go)

	failed error // guarded by ls.mu
	done   bool
	status IntegrityStatus
	result error
}

// NewVerifier returns a Verifier of the object e describes, opened with k.
// Objects without ossvault integrity headers verify as Unverified, unless
// they carry ossvault's markers (Envelope.RequireIntegrity): those fail. Objects
// whose headers name a construction this version does not know fail: a
// rewritten algorithm name must not turn a check into a warning.
func NewVerifier(e *Envelope, k *DataKey) *Verifier {
	v := &Verifier{e: e, k: k}
	if err := e.RequireIntegrity(); err != nil {
		v.unknown = err
		return v
	}
	in := e.Integrity
	if in == nil {
		return v
	}
	s := schemeFor(in.Alg)
	if s == nil {
		v.unknown = unknownAlgError(in.Alg)
		return v
	}
	v.in = in
	v.ls = newLeafSet(s, k, in.ChunkSize, in.Size)
	return v
}

func unknownAlgError(alg string) error {
	return fmt.Errorf("the object's integrity MAC uses %q, a construction this version does not know: %w", alg, ErrIntegrity)
}

// AddCiphertext adds object bytes p read from offset off. off must be a
// multiple of the chunk size, and len(p) a multiple of it unless p ends
// the object. Bytes beyond the recorded size fail the object and return an
// error wrapping ErrIntegrity.
func (v *Verifier) AddCiphertext(off int64, p []byte) error {
	return v.add(off, p, false)
}

// AddPlaintext adds already decrypted object bytes (for example chunks an
// interrupted download wrote to disk), under the same rules as
// AddCiphertext. They are re-encrypted to compute the MAC.
func (v *Verifier) AddPlaintext(off int64, p []byte) error {
	return v.add(off, p, true)
}

func (v *Verifier) add(off int64, p []byte, plain bool) error {
	if v.in == nil || len(p) == 0 {
		return nil
	}
	if err := v.ls.checkSpan(off, int64(len(p))); err != nil {
		if errors.Is(err, errBeyond) {
			err = fmt.Errorf("the object has data beyond its recorded size of %d bytes: %w", v.in.Size, ErrIntegrity)
			v.fail(err)
			return err
		}
		return fmt.Errorf("verifier: %w", err)
	}
	cs := v.in.ChunkSize
	h := v.ls.s.newMAC(v.ls.mk)
	record := v.ls.hashCiphertext
	if v.known != nil {
		record = v.checkKnown
	}
	var conflict bool
	if !plain {
		conflict = record(h, off, p) != nil
	} else {
		bp, put := getChunkBuf(cs)
		defer put()
		for len(p) > 0 {
			c := p[:min(int64(len(p)), cs)]
			ct := (*bp)[:len(c)]
			v.k.XORKeyStreamAt(ct, c, off)
			if record(h, off, ct) != nil {
				conflict = true
			}
			off += int64(len(c))
			p = p[len(c):]
		}
	}
	if conflict && v.known != nil {
		err := fmt.Errorf("a chunk of the object does not match its leaf table: %w", ErrIntegrity)
		v.fail(err)
		return err
	}
	if conflict {
		err := fmt.Errorf("the same part of the object was read twice with different content: %w", ErrIntegrity)
		v.fail(err)
		return err
	}
	return nil
}

func (v *Verifier) fail(err error) {
	v.ls.mu.Lock()
	if v.failed == nil {
		v.failed = err
	}
	v.ls.mu.Unlock()
}

// Finish checks the MAC once every chunk was added. A chunk never added
// counts as a failure (the object is shorter than recorded). The error
// wraps ErrIntegrity exactly when the status is Failed.
func (v *Verifier) Finish() (IntegrityStatus, error) {
	if v.unknown != nil {
		return Failed, v.unknown
	}
	if v.in == nil {
		return Unverified, nil
	}
	v.ls.mu.Lock()
	defer v.ls.mu.Unlock()
	if v.done {
		return v.status, v.result
	}
	v.done = true
	v.status, v.result = Failed, v.failed
	if v.result == nil && v.known != nil {
		v.finishKnown()
	} else if v.result == nil {
		switch missing := v.ls.missing(); {
		case missing > 0:
			v.result = fmt.Errorf("%d of the object's %d chunks never arrived: the object is shorter than recorded: %w", missing, v.ls.n, ErrIntegrity)
		case !hmac.Equal(v.ls.s.rootMAC(v.ls.mk, v.e, v.in, v.ls.leaves), v.in.MAC):
			v.result = ErrIntegrity
		default:
			v.status = Verified
		}
	}
	clear(v.ls.mk)
	return v.status, v.result
}

// NewVerifyingReader returns a reader of the whole plaintext of an object,
// given its ciphertext from offset 0, that checks the integrity MAC on the
// way. At the end it returns io.EOF if the object verified or carries no
// MAC, and an error wrapping ErrIntegrity instead if the MAC failed, the
// object was longer or shorter than recorded. An object whose MAC names a
// construction this version does not know fails at the first Read, before
// any byte is returned. Bytes are returned before the
// check completes, so callers must write them somewhere provisional and
// keep them only after io.EOF. VerifyStatus tells which status resulted.
func NewVerifyingReader(ciphertext io.Reader, e *Envelope, k *DataKey) io.Reader {
	r := &VerifyingReader{src: ciphertext, s: k.streamAt(0), e: e}
	if err := e.RequireIntegrity(); err != nil {
		r.finish(Failed, err)
		return r
	}
	in := e.Integrity
	if in == nil {
		return r
	}
	s := schemeFor(in.Alg)
	if s == nil {
		r.finish(Failed, unknownAlgError(in.Alg))
		return r
	}
	r.in = in
	mk := s.macKey(k)
	r.leaf = s.newMAC(mk)
	r.root = s.newMAC(mk)
	clear(mk)
	s.rootPrefix(r.root, e, in)
	r.startLeaf()
	return r
}

// VerifyingReader is the reader NewVerifyingReader returns.
type VerifyingReader struct {
	src io.Reader
	s   cipher.Stream
	e   *Envelope
	in  *Integrity

	leaf, root hash.Hash
	pos        int64 // object bytes read
	chunk      int64 // current chunk index
	inChunk    int64 // bytes of the current chunk hashed so far

	done   bool
	err    error
	status IntegrityStatus
}

func (r *VerifyingReader) startLeaf() {
	r.leaf.Reset()
	var hdr [len(leafTag) + 8]byte
	copy(hdr[:], leafTag)
	binary.BigEndian.PutUint64(hdr[len(leafTag):], uint64(r.chunk))
	r.leaf.Write(hdr[:])
}

func (r *VerifyingReader) endLeaf() {
	var l [macSize]byte
	r.root.Write(r.leaf.Sum(l[:0]))
	r.chunk++
	r.inChunk = 0
	r.startLeaf()
}

// Read implements io.Reader.
func (r *VerifyingReader) Read(p []byte) (int, error) {
	if r.done {
		return 0, r.err
	}
	n, err := r.src.Read(p)
	if r.in != nil && n > 0 {
		if r.pos+int64(n) > r.in.Size {
			r.finish(Failed, fmt.Errorf("the object is longer than its recorded size of %d bytes: %w", r.in.Size, ErrIntegrity))
			return 0, r.err
		}
		ct := p[:n]
		for len(ct) > 0 {
			take := min(int64(len(ct)), r.in.ChunkSize-r.inChunk)
			r.leaf.Write(ct[:take])
			r.inChunk += take
			ct = ct[take:]
			if r.inChunk == r.in.ChunkSize {
				r.endLeaf()
			}
		}
	}
	r.pos += int64(n)
	r.s.XORKeyStream(p[:n], p[:n])
	if errors.Is(err, io.EOF) {
		r.finishEOF()
		return n, r.err
	}
	return n, err
}

func (r *VerifyingReader) finishEOF() {
	if r.in == nil {
		r.finish(Unverified, io.EOF)
		return
	}
	if r.pos != r.in.Size {
		r.finish(Failed, fmt.Errorf("the object ended after %d of its recorded %d bytes: %w", r.pos, r.in.Size, ErrIntegrity))
		return
	}
	if r.inChunk > 0 {
		r.endLeaf()
	}
	if !hmac.Equal(r.root.Sum(nil), r.in.MAC) {
		r.finish(Failed, ErrIntegrity)
		return
	}
	r.finish(Verified, io.EOF)
}

func (r *VerifyingReader) finish(s IntegrityStatus, err error) {
	r.done, r.status, r.err = true, s, err
}

// Status returns the outcome once Read has returned io.EOF or an integrity
// error, and Unverified before.
func (r *VerifyingReader) Status() IntegrityStatus {
	if !r.done {
		return Unverified
	}
	return r.status
}

// VerifyStatus returns the integrity status of a reader from
// NewVerifyingReader that has been read to the end (Unverified for any
// other reader).
func VerifyStatus(r io.Reader) IntegrityStatus {
	if vr, ok := r.(*VerifyingReader); ok {
		return vr.Status()
	}
	return Unverified
}
