package osslocal

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"strings"
	"sync"
)

// crcTable is CRC-64/ECMA-182 in the reflected form the OSS SDKs use
// (oss.CrcTable, hash/crc64 with crc64.ECMA).
var crcTable = crc64.MakeTable(crc64.ECMA)

// copyBufSize is large because hashing and disk writes are cheaper per byte
// in big blocks; 1 MiB (copyBlocks of them, 4 MiB, per PUT in progress)
// keeps per-request memory small all the same.
const copyBufSize = 1 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// digester hashes content for MD5 and CRC-64 in a single pass.
type digester struct {
	md5 hash.Hash
	crc uint64
	n   int64
}

func newDigester() *digester { return &digester{md5: md5.New()} }

func (d *digester) Write(p []byte) (int, error) {
	d.md5.Write(p)
	d.crc = crc64.Update(d.crc, crcTable, p)
	d.n += int64(len(p))
	return len(p), nil
}

func (d *digester) sum() []byte { return d.md5.Sum(nil) }

// copyBlocks is how many blocks a copy has in flight: one being filled and
// written while the two hash workers work on the ones before it.
const copyBlocks = 4

// copyDigest copies src to dst, computing MD5 and CRC-64 of the content.
// Content is read once, in large blocks. MD5 and CRC-64 each run in a
// goroutine of their own, in order, on the blocks already written, while
// this one reads and writes the next: a PUT is held to the speed of the
// slowest of the three (MD5), not to their sum. Each block is reused only
// after both hashes are done with it.
// Only a true io.EOF from src ends the copy successfully; any other error
// (a client that went away makes net/http return io.ErrUnexpectedEOF)
// fails it.
func copyDigest(dst io.Writer, src io.Reader) (*digester, error) {
	d := newDigester()
	var bufs [copyBlocks]*[]byte
	for i := range bufs {
		bufs[i] = bufPool.Get().(*[]byte)
		defer bufPool.Put(bufs[i])
	}

	// Each worker hashes the blocks it is sent, in order, and says when it
	// is done with each.
	worker := func(hash func([]byte)) (chan<- []byte, <-chan struct{}) {
		blocks := make(chan []byte, copyBlocks)
		done := make(chan struct{}, copyBlocks)
		go func() {
			for b := range blocks {
				hash(b)
				done <- struct{}{}
			}
			close(done)
		}()
		return blocks, done
	}
	md5Blocks, md5Done := worker(func(b []byte) { d.md5.Write(b) })
	crcBlocks, crcDone := worker(func(b []byte) { d.crc = crc64.Update(d.crc, crcTable, b) })
	pending := 0
	finish := func() {
		close(md5Blocks)
		close(crcBlocks)
		for range md5Done {
		}
		for range crcDone {
		}
	}
	for i := 0; ; i++ {
		// The block about to be refilled was handed out copyBlocks
		// rounds ago; the workers go in order, so waiting until fewer
		// than copyBlocks are pending frees exactly that one.
		for ; pending >= copyBlocks; pending-- {
			<-md5Done
			<-crcDone
		}
		buf := *bufs[i%copyBlocks]
		n, rerr := fill(src, buf)
		if n > 0 {
			md5Blocks <- buf[:n]
			crcBlocks <- buf[:n]
			pending++
			d.n += int64(n)
			if _, err := dst.Write(buf[:n]); err != nil {
				finish()
				return nil, err
			}
		}
		if rerr == io.EOF {
			finish()
			return d, nil
		}
		if rerr != nil {
			finish()
			return nil, rerr
		}
	}
}

// fill reads into buf until it is full or src returns an error, which it
// passes on unchanged (unlike io.ReadFull, which turns an early io.EOF into
// io.ErrUnexpectedEOF and so cannot be told apart from a broken body).
func fill(src io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func etagOf(md5sum []byte) string { return strings.ToUpper(hex.EncodeToString(md5sum)) }

// multipartETag is OSS's ETag for a completed multipart upload: the MD5 of
// the concatenated binary part MD5s, then "-" and the part count.
func multipartETag(partMD5s [][]byte) string {
	h := md5.New()
	for _, m := range partMD5s {
		h.Write(m)
	}
	return fmt.Sprintf("%s-%d", etagOf(h.Sum(nil)), len(partMD5s))
}

// crc64Combine returns the CRC of A‖B given crc(A), crc(B) and len(B).
//
// Appending n zero bytes to a message is a linear map on its (reflected)
// CRC register, so it can be applied in O(log n) steps by squaring the
// one-zero-bit operator over GF(2); that lets a multipart object's CRC be
// derived from its parts' CRCs without reading the data again.
func crc64Combine(crcA, crcB uint64, lenB int64) uint64 {
	if lenB <= 0 {
		return crcA
	}
	var odd, even [64]uint64
	// Operator for one zero bit.
	odd[0] = crc64.ECMA
	row := uint64(1)
	for i := 1; i < 64; i++ {
		odd[i] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	for {
		gf2Square(&even, &odd)
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		gf2Square(&odd, &even)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

func gf2Times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i++ {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
		vec >>= 1
	}
	return sum
}

func gf2Square(square, mat *[64]uint64) {
	for n := 0; n < 64; n++ {
		square[n] = gf2Times(mat, mat[n])
	}
}
