package envelope

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"testing"
)

const (
	benchSize  = 64 << 20
	benchChunk = 1 << 20
)

// loop runs body under b.Loop and also reports CPU time per operation
// (cpu-ns/op) and throughput by CPU time (cpu-MB/s).
func loop(b *testing.B, body func()) {
	b.SetBytes(benchSize)
	start := processCPU()
	for b.Loop() {
		body()
	}
	if d := processCPU() - start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(benchSize)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}

// BenchmarkCTR compares the envelope's streams with raw crypto/aes +
// cipher.NewCTR doing the same I/O over the same buffers: the reader pair
// reads 1 MiB chunks from a bytes.Reader into one buffer and transforms it
// in place; the writer pair transforms 1 MiB chunks into a scratch buffer
// and writes them to io.Discard.
func BenchmarkCTR(b *testing.B) {
	src := make([]byte, benchSize)
	for i := range src {
		src[i] = byte(i)
	}
	k, _ := NewDataKey(nil)
	buf := make([]byte, benchChunk)

	b.Run("reader/raw", func(b *testing.B) {
		loop(b, func() {
			block, _ := aes.NewCipher(k.Key[:])
			s := cipher.NewCTR(block, k.IV[:])
			r := bytes.NewReader(src)
			for {
				n, err := r.Read(buf)
				s.XORKeyStream(buf[:n], buf[:n])
				if err == io.EOF {
					break
				}
			}
		})
	})
	b.Run("reader/envelope", func(b *testing.B) {
		loop(b, func() {
			r := NewReader(bytes.NewReader(src), k, 0)
			for {
				if _, err := r.Read(buf); err == io.EOF {
					break
				}
			}
		})
	})
	b.Run("writer/raw", func(b *testing.B) {
		loop(b, func() {
			block, _ := aes.NewCipher(k.Key[:])
			s := cipher.NewCTR(block, k.IV[:])
			for off := 0; off < benchSize; off += benchChunk {
				s.XORKeyStream(buf, src[off:off+benchChunk])
				io.Discard.Write(buf)
			}
		})
	})
	b.Run("writer/envelope", func(b *testing.B) {
		loop(b, func() {
			w := NewWriter(io.Discard, k, 0)
			for off := 0; off < benchSize; off += benchChunk {
				w.Write(src[off : off+benchChunk])
			}
		})
	})
	b.Run("verifying-reader/envelope", func(b *testing.B) {
		e, k, _ := Seal(context.Background(), NewRSAWrapper(&sharedTestKey(b).PublicKey, nil), nil)
		if err := Sum(context.Background(), e, k, bytes.NewReader(src), benchSize, 0); err != nil {
			b.Fatal(err)
		}
		ct := make([]byte, benchSize)
		k.XORKeyStreamAt(ct, src, 0)
		loop(b, func() {
			r := NewVerifyingReader(bytes.NewReader(ct), e, k)
			for {
				_, err := r.Read(buf)
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkSum measures the integrity MAC over 64 MiB (encrypt + keyed
// hash per chunk) with one worker and with several, for the construction
// written now (blake3) and the earlier one (hmac-sha256).
func BenchmarkSum(b *testing.B) {
	src := make([]byte, benchSize)
	e, k, _ := Seal(context.Background(), NewRSAWrapper(&sharedTestKey(b).PublicKey, nil), nil)
	for _, s := range []struct {
		name string
		s    *macScheme
	}{{"blake3", schemeBLAKE3}, {"hmac-sha256", schemeHMAC}} {
		for _, w := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("%s/workers=%d", s.name, w), func(b *testing.B) {
				loop(b, func() {
					if err := sum(context.Background(), e, k, bytes.NewReader(src), benchSize, w, ChunkSizeFor(benchSize), s.s); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}
