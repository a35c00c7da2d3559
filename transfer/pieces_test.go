package transfer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

func newPieceBufs(n int64) [2]*[]byte { return [2]*[]byte{getPiece(n), getPiece(n)} }

// readPieces hands over every byte once, in order, in pieces that end on
// multiples of the piece size, from any starting offset.
func TestReadPiecesOrderAndAlignment(t *testing.T) {
	data := make([]byte, 10_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, tc := range []struct{ off, end, ps int64 }{
		{0, 9999, 1024},
		{1000, 9999, 1024},
		{1023, 1024, 1024},
		{5, 5, 1024},
		{0, 9999, 10_000},
	} {
		var got []byte
		var ats []int64
		err := readPieces(bytes.NewReader(data[tc.off:tc.end+1]), func() {}, tc.off, tc.end, tc.ps, newPieceBufs(tc.ps),
			func(piece []byte, at int64) error {
				if want := tc.off + int64(len(got)); at != want {
					t.Fatalf("%+v: piece at %d, want %d", tc, at, want)
				}
				if end := at + int64(len(piece)); end != tc.end+1 && end%tc.ps != 0 {
					t.Fatalf("%+v: piece [%d,%d) does not end on a piece boundary", tc, at, end)
				}
				ats = append(ats, at)
				got = append(got, piece...)
				return nil
			})
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if !bytes.Equal(got, data[tc.off:tc.end+1]) {
			t.Fatalf("%+v: bytes differ", tc)
		}
	}
}

func TestReadPiecesShortBody(t *testing.T) {
	n := 0
	err := readPieces(bytes.NewReader(make([]byte, 1500)), func() {}, 0, 2999, 1000, newPieceBufs(1000),
		func([]byte, int64) error { n++; return nil })
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	if n != 1 {
		t.Fatalf("%d whole pieces handled, want 1", n)
	}
}

// blockingBody returns its first piece, then blocks until its context ends,
// like a connection on which the server went quiet.
type blockingBody struct {
	ctx   context.Context
	first []byte
}

func (b *blockingBody) Read(p []byte) (int, error) {
	if len(b.first) > 0 {
		n := copy(p, b.first)
		b.first = b.first[n:]
		return n, nil
	}
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

// A piece that cannot be handled (a full disk) must stop the read of the
// next one and return that error, not wait for the connection.
func TestReadPiecesHandleErrorStopsReader(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	diskFull := errors.New("no space left on device")
	err := readPieces(&blockingBody{ctx: ctx, first: make([]byte, 100)}, stop, 0, 999, 100, newPieceBufs(100),
		func([]byte, int64) error { return diskFull })
	if !errors.Is(err, diskFull) {
		t.Fatalf("err = %v, want the handler's error", err)
	}
}
