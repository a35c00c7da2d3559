package osslocal

import (
	"bytes"
	"crypto/md5"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestCRC64CombineMatchesWholeContent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sizes := range [][]int{{0, 5}, {5, 0}, {1, 1}, {100, 3}, {4096, 70000, 1}, {1 << 20, 17}} {
		var whole []byte
		var combined uint64
		for _, n := range sizes {
			part := make([]byte, n)
			for i := range part {
				part[i] = byte(rng.Uint32())
			}
			whole = append(whole, part...)
			combined = crc64Combine(combined, crc64.Checksum(part, crcTable), int64(n))
		}
		if want := crc64.Checksum(whole, crcTable); combined != want {
			t.Errorf("sizes %v: combined CRC %x, want %x", sizes, combined, want)
		}
		// The SDK's own CRC is what clients compare against.
		h := oss.NewCRC(oss.CrcTable(), 0)
		h.Write(whole)
		if combined != h.Sum64() {
			t.Errorf("sizes %v: combined CRC %x, SDK computes %x", sizes, combined, h.Sum64())
		}
	}
}

func TestCopyDigest(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 200000) // crosses buffer boundaries
	var out bytes.Buffer
	d, err := copyDigest(&out, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("copied content differs")
	}
	sum := md5.Sum(data)
	if !bytes.Equal(d.sum(), sum[:]) || d.crc != crc64.Checksum(data, crcTable) || d.n != int64(len(data)) {
		t.Fatalf("digest mismatch: n=%d", d.n)
	}
}

func TestMultipartETag(t *testing.T) {
	a, b := md5.Sum([]byte("a")), md5.Sum([]byte("b"))
	joined := md5.Sum(append(a[:], b[:]...))
	got := multipartETag([][]byte{a[:], b[:]})
	want := strings.ToUpper(bytesHex(joined[:])) + "-2"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func bytesHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// BenchmarkCopyDigest measures the hashing copy of a PUT (MD5 beside CRC)
// against the same hashes computed in series.
func BenchmarkCopyDigest(b *testing.B) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20) // 64 MiB
	b.Run("digest", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := copyDigest(io.Discard, bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("serial", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		buf := make([]byte, copyBufSize)
		for i := 0; i < b.N; i++ {
			d := newDigester()
			io.CopyBuffer(io.MultiWriter(d, io.Discard), bytes.NewReader(data), buf)
		}
	})
}
