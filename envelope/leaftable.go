package envelope

import (
	"bytes"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

// A leaf table is the list of an object's integrity leaves, stored beside
// it so that a range can be checked without reading the whole object
// (doc.go, "Ranges"):
//
//	table = "OSSVLEAF" || u8(1) || u64(chunk size) || u64(size) || u64(n)
//	        || MAC || leaf_0 || ... || leaf_{n-1}
const (
	leafTableMagic   = "OSSVLEAF"
	leafTableVersion = 1
	leafTableHeader  = len(leafTableMagic) + 1 + 3*8 + macSize
)

// ErrLeafTableMalformed is matched by the error of a leaf table that does
// not parse as one: damaged, or of a format this version does not know. It
// claims nothing about the object, so it does not match ErrIntegrity.
var ErrLeafTableMalformed = errors.New("the leaf table is damaged or of a format this version does not know")

// ErrLeafTableForeign is matched by NewRangeVerifier's error when the
// table names another MAC than the object's: it was written for another
// object or an earlier version of this one (the object was uploaded again
// by another client or an older ossvault, which left the table as it was).
// It does not match ErrIntegrity.
var ErrLeafTableForeign = errors.New("the leaf table belongs to another object or to another version of this one")

// LeafTable is a parsed leaf table: the object's chunking and MAC as its
// writer recorded them, and its leaves, 32 bytes per chunk in order.
type LeafTable struct {
	ChunkSize int64
	Size      int64
	MAC       []byte
	Leaves    []byte
}

// Marshal encodes the table.
func (t *LeafTable) Marshal() []byte {
	b := make([]byte, 0, leafTableHeader+len(t.Leaves))
	b = append(b, leafTableMagic...)
	b = append(b, leafTableVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(t.ChunkSize))
	b = binary.BigEndian.AppendUint64(b, uint64(t.Size))
	b = binary.BigEndian.AppendUint64(b, uint64(len(t.Leaves)/macSize))
	b = append(b, t.MAC...)
	return append(b, t.Leaves...)
}

// ParseLeafTable reads a table strictly: the magic and version 1, a chunk
// size that is a multiple of 16 between 16 bytes and 16 GiB, exactly as
// many leaves as the size has chunks (at most what a verifier holds), a
// 32-byte MAC, and nothing after the last leaf. Anything else matches
// ErrLeafTableMalformed.
func ParseLeafTable(b []byte) (*LeafTable, error) {
	if len(b) < leafTableHeader || string(b[:len(leafTableMagic)]) != leafTableMagic {
		return nil, fmt.Errorf("%w: it does not begin as one", ErrLeafTableMalformed)
	}
	p := b[len(leafTableMagic):]
	if p[0] != leafTableVersion {
		return nil, fmt.Errorf("%w: version %d", ErrLeafTableMalformed, p[0])
	}
	cs, size, n := binary.BigEndian.Uint64(p[1:]), binary.BigEndian.Uint64(p[9:]), binary.BigEndian.Uint64(p[17:])
	switch {
	case cs < 16 || cs%16 != 0 || cs > maxChunkSize:
		return nil, fmt.Errorf("%w: chunk size %d", ErrLeafTableMalformed, cs)
	case size > 1<<62 || n != uint64(numChunks(int64(size), int64(cs))) || n > maxReadLeaves:
		return nil, fmt.Errorf("%w: %d leaves for %d bytes in chunks of %d", ErrLeafTableMalformed, n, size, cs)
	case uint64(len(b)) != uint64(leafTableHeader)+n*macSize:
		return nil, fmt.Errorf("%w: %d bytes for %d leaves", ErrLeafTableMalformed, len(b), n)
	}
	mac := p[25 : 25+macSize]
	return &LeafTable{
		ChunkSize: int64(cs), Size: int64(size),
		MAC:    bytes.Clone(mac),
		Leaves: bytes.Clone(b[leafTableHeader:]),
	}, nil
}

// LeafTableSize is the size in bytes of the leaf table of an object with
// these integrity headers: what a reader fetches (one byte more tells a
// longer table, which is not this object's, from this one's).
func LeafTableSize(in *Integrity) int64 {
	return int64(leafTableHeader) + numChunks(max(in.Size, 0), in.ChunkSize)*macSize
}

// LeafTable returns the object's encoded leaf table once Finish computed
// the MAC.
func (s *Summer) LeafTable() ([]byte, error) {
	s.ls.mu.Lock()
	defer s.ls.mu.Unlock()
	if s.in.MAC == nil {
		return nil, errors.New("failed to make the leaf table: the integrity MAC is not computed yet")
	}
	t := &LeafTable{ChunkSize: s.in.ChunkSize, Size: s.in.Size, MAC: s.in.MAC, Leaves: s.ls.leaves}
	return t.Marshal(), nil
}

// knownLeaves is a range Verifier's state: leaves checked against the
// object's MAC, and which chunks of the range have arrived.
type knownLeaves struct {
	leaves []byte
	lo, hi int64  // the chunks lo..hi (inclusive) must arrive
	seen   []bool // hi-lo+1, guarded by the leaf set's mu
}

// NewRangeVerifier returns a Verifier of the plaintext bytes start..end
// (inclusive, within the object) of the object e describes, opened with
// k, from the object's leaf table: the table's leaves must recompute to
// the object's MAC before any chunk is compared with them, so the table
// is trusted exactly as far as the MAC (and the writer's signature on it,
// checked here too through RequireIntegrity) is. The chunks to fetch are
// Span's; each is checked against its leaf as it arrives, and Finish says
// Verified once every chunk of the span has arrived and matched.
//
// Errors: one matching ErrIntegrity when the object fails RequireIntegrity,
// names a construction this version does not know, or has a table that
// names its MAC but does not match it (someone altered the table or the
// envelope); ErrLeafTableMalformed or ErrLeafTableForeign when the table
// cannot vouch for the object, which says nothing about the object
// itself. e must carry an integrity MAC.
func NewRangeVerifier(e *Envelope, k *DataKey, table []byte, start, end int64) (*Verifier, error) {
	if err := e.RequireIntegrity(); err != nil {
		return nil, err
	}
	in := e.Integrity
	if in == nil {
		return nil, errors.New("the object carries no integrity MAC to check a range against")
	}
	s := schemeFor(in.Alg)
	if s == nil {
		return nil, unknownAlgError(in.Alg)
	}
	if start < 0 || end < start || end >= in.Size {
		return nil, fmt.Errorf("the range %d-%d is not within the object's %d bytes", start, end, in.Size)
	}
	// The MAC in the header alone decides whose table it is, so that a
	// table that merely got too short or long for this object is not
	// taken for another object's.
	if len(table) < leafTableHeader || string(table[:len(leafTableMagic)]) != leafTableMagic || table[len(leafTableMagic)] != leafTableVersion {
		_, err := ParseLeafTable(table)
		return nil, err
	}
	if !hmac.Equal(table[leafTableHeader-macSize:leafTableHeader], in.MAC) {
		return nil, ErrLeafTableForeign
	}
	t, err := ParseLeafTable(table)
	if err != nil {
		return nil, fmt.Errorf("the object's leaf table names its MAC but is malformed (%v): %w", err, ErrIntegrity)
	}
	if t.ChunkSize != in.ChunkSize || t.Size != in.Size {
		return nil, fmt.Errorf("the object's leaf table names its MAC but records %d bytes in chunks of %d where the object records %d in chunks of %d: %w",
			t.Size, t.ChunkSize, in.Size, in.ChunkSize, ErrIntegrity)
	}
	if err := checkKey(e, k); err != nil {
		return nil, err
	}
	mk := s.macKey(k)
	if !hmac.Equal(s.rootMAC(mk, e, in, t.Leaves), in.MAC) {
		clear(mk)
		return nil, fmt.Errorf("the object's leaf table names its MAC but its leaves do not make it: %w", ErrIntegrity)
	}
	lo, hi := start/in.ChunkSize, end/in.ChunkSize
	return &Verifier{
		e: e, k: k, in: in,
		ls:    &leafSet{s: s, mk: mk, chunk: in.ChunkSize, size: in.Size, n: numChunks(in.Size, in.ChunkSize)},
		known: &knownLeaves{leaves: t.Leaves, lo: lo, hi: hi, seen: make([]bool, hi-lo+1)},
	}, nil
}

// Span returns the object bytes (inclusive) the Verifier must be given:
// the whole object, or for a range Verifier the whole chunks that hold
// the range.
func (v *Verifier) Span() (start, end int64) {
	if v.in == nil {
		return 0, -1
	}
	if v.known == nil {
		return 0, v.in.Size - 1
	}
	return v.known.lo * v.in.ChunkSize, min((v.known.hi+1)*v.in.ChunkSize, v.in.Size) - 1
}

// checkKnown compares the leaves of ciphertext ct at off (whole chunks, or
// the end of the object) with the table's, like hashCiphertext records
// them, and returns errConflict when one differs.
func (v *Verifier) checkKnown(h hash.Hash, off int64, ct []byte) error {
	kl := v.known
	var differ bool
	for len(ct) > 0 {
		c := ct[:min(int64(len(ct)), v.ls.chunk)]
		i := off / v.ls.chunk
		l := leaf(h, i, c)
		if !hmac.Equal(l[:], kl.leaves[i*macSize:(i+1)*macSize]) {
			differ = true
		}
		if i >= kl.lo && i <= kl.hi {
			v.ls.mu.Lock()
			kl.seen[i-kl.lo] = true
			v.ls.mu.Unlock()
		}
		off += int64(len(c))
		ct = ct[len(c):]
	}
	if differ {
		return errConflict
	}
	return nil
}

// finishKnown is Finish for a range Verifier. The caller holds ls.mu.
func (v *Verifier) finishKnown() {
	missing := 0
	for _, ok := range v.known.seen {
		if !ok {
			missing++
		}
	}
	if missing > 0 {
		v.result = fmt.Errorf("%d of the range's %d chunks never arrived: %w", missing, len(v.known.seen), ErrIntegrity)
		return
	}
	v.status = Verified
}
