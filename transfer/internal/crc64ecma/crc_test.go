package crc64ecma

import (
	"hash/crc64"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// Every length around the 16- and 64-byte steps, at every alignment, from
// zero and from a CRC in progress, gives hash/crc64's value.
func TestUpdateMatchesHashCRC64(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096+16)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for _, init := range []uint64{0, 1, ^uint64(0), r.Uint64()} {
		for off := range 16 {
			for n := 0; n <= 300; n++ {
				p := buf[off : off+n]
				if got, want := Update(init, p), crc64.Update(init, table, p); got != want {
					t.Fatalf("init %#x, offset %d, %d bytes: %#x, want %#x", init, off, n, got, want)
				}
			}
			for _, n := range []int{1023, 1024, 1025, 4095, 4096} {
				p := buf[off : off+n]
				if got, want := Update(init, p), crc64.Update(init, table, p); got != want {
					t.Fatalf("init %#x, offset %d, %d bytes: %#x, want %#x", init, off, n, got, want)
				}
			}
		}
	}
}

// Known values: the CRC-64/XZ check value and OSS's CRC of nothing.
func TestUpdateKnownValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"", 0},
		{"123456789", 0x995dc9bbdf1939fa},
		{string(make([]byte, 1<<20)), crc64.Checksum(make([]byte, 1<<20), table)},
	} {
		if got := Update(0, []byte(tc.in)); got != tc.want {
			t.Errorf("%d bytes: %#x, want %#x", len(tc.in), got, tc.want)
		}
	}
}

// Split anywhere, the parts' updates chain to the whole's CRC.
func TestUpdateChains(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	p := make([]byte, 10000)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	want := crc64.Checksum(p, table)
	for range 200 {
		cut := r.IntN(len(p) + 1)
		if got := Update(Update(0, p[:cut]), p[cut:]); got != want {
			t.Fatalf("cut at %d: %#x, want %#x", cut, got, want)
		}
	}
}

// The constants in crc_amd64.s are x^(D+63) and x^(D-1) mod P, reflected.
func TestFoldConstants(t *testing.T) {
	k := func(e int) uint64 {
		const p = 0x42F0E1EBA9EA3693 // ECMA-182, not reflected
		v := uint64(1)
		for range e {
			v = v<<1 ^ (v>>63)*p
		}
		return bits.Reverse64(v)
	}
	for _, tc := range []struct {
		d      int
		lo, hi uint64
	}{
		{512, 0x6ae3efbb9dd441f3, 0x081f6054a7842df4},
		{128, 0xe05dd497ca393ae4, 0xdabe95afc7875f40},
	} {
		if lo, hi := k(tc.d+63), k(tc.d-1); lo != tc.lo || hi != tc.hi {
			t.Errorf("fold over %d bits: %#x %#x, want %#x %#x", tc.d, lo, hi, tc.lo, tc.hi)
		}
	}
}

func FuzzUpdate(f *testing.F) {
	f.Add(uint64(0), []byte("123456789"))
	f.Add(^uint64(0), make([]byte, 200))
	f.Fuzz(func(t *testing.T, init uint64, p []byte) {
		if got, want := Update(init, p), crc64.Update(init, table, p); got != want {
			t.Fatalf("%d bytes: %#x, want %#x", len(p), got, want)
		}
	})
}

// BenchmarkUpdate compares this package with hash/crc64 on the SDK's
// 32 KiB writes and on a 1 MiB buffer.
func BenchmarkUpdate(b *testing.B) {
	for _, n := range []int{32 << 10, 1 << 20} {
		p := make([]byte, n)
		b.Run("crc64ecma/"+size(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			var c uint64
			for b.Loop() {
				c = Update(c, p)
			}
		})
		b.Run("hash-crc64/"+size(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			var c uint64
			for b.Loop() {
				c = crc64.Update(c, table, p)
			}
		})
	}
}

func size(n int) string {
	if n >= 1<<20 {
		return "1MiB"
	}
	return "32KiB"
}
