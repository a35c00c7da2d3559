package envelope

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// rangeObject is an object as the uploader writes it (a Summer over the
// whole buffer, signed when signed is set), read back as a reader parses
// its headers, with its ciphertext and its leaf table.
type rangeObject struct {
	env   *Envelope // parsed from the headers
	k     *DataKey
	ct    []byte
	table []byte
}

func newRangeObject(t testing.TB, size int, chunk int64, signed bool) rangeObject {
	t.Helper()
	rsaKey := sharedTestKey(t)
	e, k, err := Seal(context.Background(), NewRSAWrapper(&rsaKey.PublicKey, MatDesc{MatDescKeyName: "t"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.UnencryptedLength = int64(size)
	priv := testSigningKey(3)
	if signed {
		if err := e.SetWriter(priv.Public().(ed25519.PublicKey), "bkt", "big.bin", testSignTime); err != nil {
			t.Fatal(err)
		}
	}
	s, err := NewSummer(e, k, int64(size), chunk)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	if _, err := s.Seal(0, buf); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LeafTable(); err == nil {
		t.Fatal("LeafTable before Finish gave a table")
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	if signed {
		if err := e.Sign(priv); err != nil {
			t.Fatal(err)
		}
	}
	table, err := s.LeafTable()
	if err != nil {
		t.Fatal(err)
	}
	env, err := ParseMeta(e.Meta())
	if err != nil {
		t.Fatal(err)
	}
	return rangeObject{env: env, k: k, ct: buf, table: table}
}

// check runs a range Verifier over the span it asks for, with the
// ciphertext ct, and returns its outcome.
func (o rangeObject) check(t *testing.T, start, end int64, ct []byte) (IntegrityStatus, error) {
	t.Helper()
	v, err := NewRangeVerifier(o.env, o.k, o.table, start, end)
	if err != nil {
		return Failed, err
	}
	lo, hi := v.Span()
	cs := o.env.Integrity.ChunkSize
	if lo%cs != 0 || lo > start || hi < end || (hi+1)%cs != 0 && hi != int64(len(ct))-1 || hi-lo+1 > (end-start+1)+2*cs {
		t.Fatalf("span %d-%d for the range %d-%d in chunks of %d", lo, hi, start, end, cs)
	}
	for off := lo; off <= hi; off += cs {
		if err := v.AddCiphertext(off, ct[off:min(off+cs, hi+1)]); err != nil {
			return Failed, err
		}
	}
	return v.Finish()
}

func TestRangeVerifier(t *testing.T) {
	const size, chunk = 1000, 64 // 16 chunks, the last of 40 bytes
	for _, signed := range []bool{false, true} {
		o := newRangeObject(t, size, chunk, signed)
		other := newRangeObject(t, size, chunk, signed)
		flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
		for _, tc := range []struct {
			name       string
			start, end int64
			ct         []byte
			table      []byte
			want       error // nil: Verified
		}{
			{name: "in one chunk", start: 70, end: 80},
			{name: "across chunks", start: 60, end: 200},
			{name: "last short chunk", start: 990, end: 999},
			{name: "first byte", start: 0, end: 0},
			{name: "altered in the range", start: 70, end: 80, ct: flip(o.ct, 75), want: ErrIntegrity},
			{name: "altered in the range's chunk, outside the range", start: 70, end: 80, ct: flip(o.ct, 127), want: ErrIntegrity},
			{name: "altered outside the range's chunks", start: 70, end: 80, ct: flip(o.ct, 300)},
			{name: "another object's table", start: 70, end: 80, table: other.table, want: ErrLeafTableForeign},
			{name: "a leaf changed", start: 70, end: 80, table: flip(o.table, leafTableHeader+5*macSize), want: ErrIntegrity},
			{name: "a leaf outside the range changed", start: 70, end: 80, table: flip(o.table, len(o.table)-1), want: ErrIntegrity},
			{name: "the table cut short", start: 70, end: 80, table: o.table[:len(o.table)-macSize], want: ErrIntegrity},
			{name: "the table made longer", start: 70, end: 80, table: append(bytes.Clone(o.table), 0), want: ErrIntegrity},
			{name: "the chunk size changed", start: 70, end: 80, table: flip(o.table, 9+7), want: ErrIntegrity},
			{name: "its MAC changed", start: 70, end: 80, table: flip(o.table, leafTableHeader-1), want: ErrLeafTableForeign},
			{name: "not a table", start: 70, end: 80, table: []byte("hello"), want: ErrLeafTableMalformed},
			{name: "a later version", start: 70, end: 80, table: flip(o.table, len(leafTableMagic)), want: ErrLeafTableMalformed},
			{name: "empty", start: 70, end: 80, table: []byte{}, want: ErrLeafTableMalformed},
		} {
			t.Run(map[bool]string{false: "v2/", true: "signed/"}[signed]+tc.name, func(t *testing.T) {
				ob := o
				if tc.table != nil {
					ob.table = tc.table
				}
				ct := o.ct
				if tc.ct != nil {
					ct = tc.ct
				}
				st, err := ob.check(t, tc.start, tc.end, ct)
				switch {
				case tc.want == nil && (err != nil || st != Verified):
					t.Fatalf("signed %v: %v, %v; want verified", signed, st, err)
				case tc.want != nil && !errors.Is(err, tc.want):
					t.Fatalf("signed %v: %v, %v; want %v", signed, st, err, tc.want)
				case tc.want == ErrLeafTableForeign || tc.want == ErrLeafTableMalformed:
					if errors.Is(err, ErrIntegrity) {
						t.Fatalf("a table that cannot vouch for the object says the object was altered: %v", err)
					}
				case tc.want == ErrIntegrity:
					if errors.Is(err, ErrLeafTableForeign) || errors.Is(err, ErrLeafTableMalformed) {
						t.Fatalf("an altered table reads as one that merely does not fit: %v", err)
					}
				}
			})
		}
	}
}

// A range Verifier refuses what the object refuses, whatever its table.
func TestRangeVerifierObjectFails(t *testing.T) {
	o := newRangeObject(t, 1000, 64, true)
	m := o.env.Meta()
	m[HeaderUploadedAs] = "oss://bkt/other.bin" // the signature no longer matches
	bad, err := ParseMeta(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRangeVerifier(bad, o.k, o.table, 0, 10); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a badly signed object: %v", err)
	}
	// A chunk that never arrives fails the range.
	v, err := NewRangeVerifier(o.env, o.k, o.table, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddCiphertext(0, o.ct[:64]); err != nil {
		t.Fatal(err)
	}
	if st, err := v.Finish(); st != Failed || !errors.Is(err, ErrIntegrity) {
		t.Fatalf("a chunk missing: %v, %v", st, err)
	}
	if _, err := NewRangeVerifier(o.env, o.k, o.table, 990, 1000); err == nil {
		t.Fatal("a range past the end was accepted")
	}
}

// leafTableVector is testdata/leaftable-v1.json: a fixed data key,
// envelope and content, and the exact table the writer stores.
type leafTableVector struct {
	Key       string `json:"data_key_hex"`
	IV        string `json:"iv_hex"`
	Plain     string `json:"plaintext_hex"`
	ChunkSize int64  `json:"chunk_size"`
	MAC       string `json:"mac_hex"`
	Table     string `json:"table_hex"`
}

func TestLeafTableVector(t *testing.T) {
	path := filepath.Join("testdata", "leaftable-v1.json")
	k := &DataKey{}
	for i := range k.Key {
		k.Key[i] = byte(i)
	}
	copy(k.IV[:], unhex(t, "0102030405060708000000000a0b0c0d"))
	plain := []byte("invoice 2026-03-14: 3 rows, one chunk of 32 bytes each, and a short last one\n")
	e := &Envelope{
		WrappedKey: bytes.Repeat([]byte{0xa1}, 256), WrappedIV: bytes.Repeat([]byte{0xa2}, 256),
		CEKAlg: CEKAlgAESCTR, WrapAlg: WrapRSA, MatDesc: MatDesc{MatDescKeyName: "alice"}, RawMatDesc: `{"ossvault-key":"alice"}`,
		UnencryptedLength: int64(len(plain)), KeyCheck: keyCheck(k),
	}
	s, err := NewSummer(e, k, int64(len(plain)), 32)
	if err != nil {
		t.Fatal(err)
	}
	ct := bytes.Clone(plain)
	if _, err := s.Seal(0, ct); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	table, err := s.LeafTable()
	if err != nil {
		t.Fatal(err)
	}
	got := leafTableVector{Key: hex.EncodeToString(k.Key[:]), IV: hex.EncodeToString(k.IV[:]), Plain: hex.EncodeToString(plain),
		ChunkSize: 32, MAC: hex.EncodeToString(e.Integrity.MAC), Table: hex.EncodeToString(table)}
	if os.Getenv("OSSVAULT_WRITE_VECTORS") == "1" {
		out, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want leafTableVector
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("vector differs:\ngot  %+v\nwant %+v", got, want)
	}
	// The vector's table verifies a range of the vector's object.
	v, err := NewRangeVerifier(e, k, unhex(t, want.Table), 40, 41)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddCiphertext(32, ct[32:64]); err != nil {
		t.Fatal(err)
	}
	if st, err := v.Finish(); st != Verified {
		t.Fatalf("%v, %v", st, err)
	}
}

// FuzzParseLeafTable: never panics; what parses encodes back to the same
// bytes, and is consistent in itself.
func FuzzParseLeafTable(f *testing.F) {
	o := newRangeObject(f, 1000, 64, false)
	f.Add(o.table)
	f.Add(o.table[:leafTableHeader])
	f.Add((&LeafTable{ChunkSize: 16, Size: 0, MAC: make([]byte, 32)}).Marshal())
	f.Add([]byte(leafTableMagic + "\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := ParseLeafTable(b)
		if err != nil {
			if !errors.Is(err, ErrLeafTableMalformed) {
				t.Fatalf("error %v does not match ErrLeafTableMalformed", err)
			}
			return
		}
		if !bytes.Equal(tb.Marshal(), b) {
			t.Fatal("does not encode back to its bytes")
		}
		if int64(len(tb.Leaves)) != numChunks(tb.Size, tb.ChunkSize)*macSize || len(tb.MAC) != macSize {
			t.Fatalf("inconsistent table: %d bytes of leaves for %d bytes in chunks of %d", len(tb.Leaves), tb.Size, tb.ChunkSize)
		}
	})
}
