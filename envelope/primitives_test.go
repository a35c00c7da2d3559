package envelope

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"io"
	"testing"
	"testing/iotest"
)

// VECTORS.md §6.1: the C++ SDK's AES-256-CTR vector.
func TestCppCTRVector(t *testing.T) {
	k := &DataKey{}
	copy(k.Key[:], "12345678901234561234567890123456")
	copy(k.IV[:], "1234567890123456")
	want, _ := base64.StdEncoding.DecodeString("wrnuWSenVochXx3m0QzCBQ==")
	got := make([]byte, 16)
	k.XORKeyStreamAt(got, []byte("1234567890123456"), 0)
	if !bytes.Equal(got, want) {
		t.Fatalf("ct = %x, want %x", got, want)
	}
	pt := []byte("12345678901234561234567890123456")
	got, _ = io.ReadAll(NewReader(bytes.NewReader(pt), k, 0))
	if h := hex.EncodeToString(got); h != "c2b9ee5927a75687215f1de6d10cc205ab0b35aca12e56f0169630ed315b5444" {
		t.Fatalf("32-byte ct = %s", h)
	}
	next := counterAt(k.IV, 1)
	if h := hex.EncodeToString(next[:]); h != "31323334353637383930313233343537" {
		t.Fatalf("IncCTRCounter(iv, 1) = %s", h)
	}
	// Block 2 of the stream equals block 1 under iv+1.
	k2 := &DataKey{Key: k.Key, IV: next}
	b2 := make([]byte, 16)
	k2.XORKeyStreamAt(b2, pt[16:], 0)
	if !bytes.Equal(b2, got[16:]) {
		t.Fatal("block 2 of the stream differs from block 1 under iv+1")
	}
}

func TestCounterArithmetic(t *testing.T) {
	for _, c := range []struct {
		name, iv string
		blocks   uint64
		want     string
	}{
		// VECTORS.md §6.2 (Java counter increment).
		{"java", "01020304050607080000000001020304", 0x1122334400000000, "01020304050607081122334401020304"},
		// VECTORS.md §6.4: carries cross all 128 bits, as the stream does.
		{"carry32", "00112233445566778899aabbffffffff", 1, "00112233445566778899aabc00000000"},
		{"carry64", "0011223344556677ffffffffffffffff", 1, "00112233445566780000000000000000"},
		{"wrap128", "ffffffffffffffffffffffffffffffff", 1, "00000000000000000000000000000000"},
		{"zero", "00000000000000000000000000000000", 0, "00000000000000000000000000000000"},
		{"big", "00000000000000010000000000000000", 1<<64 - 1, "0000000000000001ffffffffffffffff"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var iv [16]byte
			copy(iv[:], unhex(t, c.iv))
			got := counterAt(iv, c.blocks)
			if h := hex.EncodeToString(got[:]); h != c.want {
				t.Errorf("got %s, want %s", h, c.want)
			}
		})
	}
}

// The seek must agree with Go's own CTR stream across carries, at every
// offset within a few blocks of them.
func TestSeekMatchesStreamAcrossCarries(t *testing.T) {
	for _, ivh := range []string{
		"00112233445566778899aabbfffffffe",
		"0011223344556677fffffffffffffffe",
		"fffffffffffffffffffffffffffffffe",
		"8c3207b09a9bfa6600000000ac1992b4",
	} {
		k := &DataKey{}
		copy(k.Key[:], "12345678901234561234567890123456")
		copy(k.IV[:], unhex(t, ivh))
		block, _ := aes.NewCipher(k.Key[:])
		ref := make([]byte, 96)
		cipher.NewCTR(block, k.IV[:]).XORKeyStream(ref, ref)
		for off := 0; off < len(ref); off++ {
			got := make([]byte, len(ref)-off)
			k.XORKeyStreamAt(got, got, int64(off))
			if !bytes.Equal(got, ref[off:]) {
				t.Fatalf("iv %s: keystream from offset %d differs from the stream", ivh, off)
			}
		}
	}
}

// VECTORS.md §6.3: encrypting vector A's plaintext in parts of 5120 bytes,
// each from its own part counter, reproduces the single-stream object.
func TestMultipartCountersReproduceStream(t *testing.T) {
	plain := readInterop(t, "files/example.jpg")
	want := readInterop(t, "files/cpp-rsa-enc-example.jpg")
	k := &DataKey{}
	copy(k.Key[:], unhex(t, "3e76c9c13d019b8e0356156a1dd4b285ee682c04659f058324e45d89f79708de"))
	copy(k.IV[:], unhex(t, "8c3207b09a9bfa6600000000ac1992b4"))
	const partSize = 5120
	wantIVs := map[int]string{1: "8c3207b09a9bfa6600000000ac1992b4", 2: "8c3207b09a9bfa6600000000ac1993f4", 3: "8c3207b09a9bfa6600000000ac199534"}
	var out bytes.Buffer
	for part := 1; (part-1)*partSize < len(plain); part++ {
		iv, err := k.PartIV(part, partSize)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := wantIVs[part]; ok && hex.EncodeToString(iv[:]) != w {
			t.Errorf("part %d iv = %x, want %s", part, iv, w)
		}
		pk := &DataKey{Key: k.Key, IV: iv}
		chunk := plain[(part-1)*partSize : min(part*partSize, len(plain))]
		w := NewWriter(&out, pk, 0)
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("parts do not reproduce the single-stream ciphertext")
	}
	for _, bad := range []struct {
		part int
		size int64
	}{{0, 5120}, {1, 0}, {1, 5121}, {-1, 16}} {
		if _, err := k.PartIV(bad.part, bad.size); err == nil {
			t.Errorf("PartIV(%d, %d) accepted", bad.part, bad.size)
		}
	}
}

func TestReaderWriterShapes(t *testing.T) {
	k, err := NewDataKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, 3*writeChunk+77)
	for i := range plain {
		plain[i] = byte(i * 7)
	}
	ref := make([]byte, len(plain))
	k.XORKeyStreamAt(ref, plain, 0)

	// Reader: one byte at a time, half reads, and the standard checks.
	got, err := io.ReadAll(iotest.OneByteReader(NewReader(bytes.NewReader(plain[:1000]), k, 0)))
	if err != nil || !bytes.Equal(got, ref[:1000]) {
		t.Fatalf("one-byte reads differ: %v", err)
	}
	got, err = io.ReadAll(NewReader(iotest.HalfReader(bytes.NewReader(plain)), k, 0))
	if err != nil || !bytes.Equal(got, ref) {
		t.Fatalf("half reads differ: %v", err)
	}
	if err := iotest.TestReader(NewReader(bytes.NewReader(ref[5:]), k, 5), plain[5:]); err != nil {
		t.Fatal(err)
	}

	// Writer: odd write sizes must not change the caller's buffer.
	var out bytes.Buffer
	w := NewWriter(&out, k, 0)
	src := bytes.Clone(plain)
	for off, step := 0, 1; off < len(src); step = step*3 + 1 {
		end := min(off+step, len(src))
		n, err := w.Write(src[off:end])
		if err != nil || n != end-off {
			t.Fatalf("Write = %d, %v", n, err)
		}
		off = end
	}
	if !bytes.Equal(src, plain) {
		t.Fatal("the writer modified the caller's buffer")
	}
	if !bytes.Equal(out.Bytes(), ref) {
		t.Fatal("writer output differs")
	}

	// A negative offset is an error, not a panic.
	if _, err := NewReader(bytes.NewReader(plain), k, -1).Read(make([]byte, 4)); err == nil {
		t.Error("reader at offset -1 gave no error")
	}
	if _, err := NewWriter(io.Discard, k, -16).Write(plain[:4]); err == nil {
		t.Error("writer at offset -16 gave no error")
	}

	// A failing destination sticks.
	fw := NewWriter(&failAfter{n: 10}, k, 0)
	if _, err := fw.Write(plain[:100]); err == nil {
		t.Fatal("no error from a failing destination")
	}
	if n, err := fw.Write(plain[:1]); err == nil || n != 0 {
		t.Fatal("writer kept going after its destination failed")
	}
}

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, io.ErrClosedPipe
	}
	f.n -= len(p)
	return len(p), nil
}

func TestNewDataKeyLayout(t *testing.T) {
	r := make([]byte, 44)
	for i := range r {
		r[i] = byte(i + 1)
	}
	k, err := NewDataKey(bytes.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Key[:], r[:32]) {
		t.Error("key is not the first 32 random bytes")
	}
	want := append(append(bytes.Clone(r[32:40]), 0, 0, 0, 0), r[40:44]...)
	if !bytes.Equal(k.IV[:], want) {
		t.Errorf("iv = %x, want %x", k.IV, want)
	}
	if _, err := NewDataKey(bytes.NewReader(r[:40])); err == nil {
		t.Error("short randomness accepted")
	}
	// Fresh randomness: two keys never repeat, and bytes 8..11 are zero.
	a, _ := NewDataKey(nil)
	b, _ := NewDataKey(nil)
	if a.Key == b.Key || a.IV == b.IV {
		t.Error("two data keys are equal")
	}
	for _, k := range []*DataKey{a, b} {
		if !bytes.Equal(k.IV[8:12], []byte{0, 0, 0, 0}) {
			t.Errorf("iv bytes 8..11 = %x", k.IV[8:12])
		}
	}
}
