package transfer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ossvault/ossvault/envelope"
)

// sentCounter counts the bytes a store is sent in bodies.
type sentCounter struct {
	RewrapStore
	sent atomic.Int64
}

func (s *sentCounter) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, meta map[string]string) error {
	s.sent.Add(size)
	return s.RewrapStore.Put(ctx, key, body, size, meta)
}

func (s *sentCounter) UploadPart(ctx context.Context, key, id string, n int, body io.ReadSeeker, size int64, meta map[string]string) (string, error) {
	s.sent.Add(size)
	return s.RewrapStore.UploadPart(ctx, key, id, n, body, size, meta)
}

// Sharing an object with Bob re-wraps its data key for him and copies the
// ciphertext on the server: Bob opens the copy with his key alone, the
// first key still opens it, the copy verifies as written by the sharer
// under its own name, and what was sent is far less than the object.
func TestRewrapCopy(t *testing.T) {
	_, st := startOSS(t)
	rs, ok := st.(RewrapStore)
	if !ok {
		t.Fatal("the SDK adapter's bucket cannot copy on the server")
	}
	writer := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	sharer := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, ed25519.SeedSize))
	bobKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	bob := envelope.NewRSAWrapper(&bobKey.PublicKey, envelope.MatDesc{envelope.MatDescKeyName: "bob"})
	const cs = envelope.DefaultChunkSize
	for _, shape := range []struct {
		name     string
		size     int
		partSize int64
	}{
		{"single PUT", 3*cs + 11, DefaultPartSize},
		{"multipart, MAC in tags", 5*cs + 7, cs},
		{"empty", 0, DefaultPartSize},
	} {
		t.Run(shape.name, func(t *testing.T) {
			ctx := context.Background()
			up, down := newEngines(t, st)
			up.PartSize, up.Signer = shape.partSize, writer
			src, plain := writeRandom(t, t.TempDir(), "pay.csv", shape.size)
			key := "in/" + shape.name + ".csv"
			if err := up.Upload(ctx, UploadJob{Source: src, Bucket: "bkt", Key: key, Wrapper: testWrapper(t)}, nil); err != nil {
				t.Fatal(err)
			}
			counted := &sentCounter{RewrapStore: rs}
			rw := &Rewrapper{Keys: testKeys(t), Signer: sharer, Policy: &fastPolicy, Piece: cs}
			var read int64
			dst := ".ossvault/shared/" + shape.name + "/pay.csv"
			if err := rw.Copy(ctx, counted, key, dst, []envelope.Wrapper{bob}, func(done, _ int64) { read = done }); err != nil {
				t.Fatal(err)
			}
			if read != int64(shape.size) {
				t.Errorf("read %d bytes of ciphertext, want the object's %d", read, shape.size)
			}
			if sent := counted.sent.Load(); shape.size > 0 && sent >= int64(shape.size)/4 {
				t.Errorf("sent %d bytes to share a %d-byte object", sent, shape.size)
			}
			for who, keys := range map[string]Keys{"bob": keyring{envelope.NewRSAIdentity(bobKey)}, "the first key": testKeys(t)} {
				down.Keys = keys
				out := filepath.Join(t.TempDir(), "out")
				res, err := down.Download(ctx, DownloadJob{Source: st, SourceID: "oss://bkt/" + dst, Key: dst, Dest: out}, nil)
				if err != nil {
					t.Fatalf("%s opening the copy: %v", who, err)
				}
				got, _ := os.ReadFile(out)
				if !bytes.Equal(got, plain) || res.Integrity != envelope.Verified {
					t.Fatalf("%s: %d bytes, %v", who, len(got), res.Integrity)
				}
				if !bytes.Equal(res.Envelope.Signer, sharer.Public().(ed25519.PublicKey)) || res.Envelope.UploadedKey != dst {
					t.Fatalf("%s: signed by %x as %q", who, res.Envelope.Signer, res.Envelope.UploadedKey)
				}
				if len(res.Envelope.Wraps()) != 2 {
					t.Fatalf("%s: %d wraps", who, len(res.Envelope.Wraps()))
				}
			}
		})
	}
}

// Only what verifies is shared this way: an altered object, or one
// another client wrote, fails before anything is written.
func TestRewrapCopyRefuses(t *testing.T) {
	srv, st := startOSS(t)
	rs := st.(RewrapStore)
	sdk := sdkBucket(t, srvConn(srv), "bkt")
	ctx := context.Background()
	up, _ := newEngines(t, st)
	up.Signer = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	src, _ := writeRandom(t, t.TempDir(), "pay.csv", 2*envelope.DefaultChunkSize+5)
	if err := up.Upload(ctx, UploadJob{Source: src, Bucket: "bkt", Key: "altered.csv", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	srv.RewriteObject(t, "bkt", "altered.csv", func(d []byte) { d[envelope.DefaultChunkSize+9] ^= 1 })
	if err := sdk.PutObject("plain.csv", strings.NewReader("not encrypted")); err != nil {
		t.Fatal(err)
	}
	rw := &Rewrapper{Keys: testKeys(t), Signer: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, ed25519.SeedSize)), Policy: &fastPolicy}
	bob := testWrapper(t)
	for key, want := range map[string]error{"altered.csv": envelope.ErrIntegrity, "plain.csv": ErrRewrapUnprotected} {
		err := rw.Copy(ctx, rs, key, "copy-of-"+key, []envelope.Wrapper{bob}, nil)
		if !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", key, err, want)
		}
		if _, err := st.Head(ctx, "copy-of-"+key); !errors.Is(err, ErrNoSuchObject) {
			t.Fatalf("%s: a copy was written (%v)", key, err)
		}
	}
}

// A copy under a new name (nobody added) must not replace what is there:
// under WithNoOverwrite the server refuses it and the object under that
// name is left as it was. A leaf table left from an earlier object of the
// new name is replaced by the copy's, not kept.
func TestRewrapCopyNoOverwrite(t *testing.T) {
	_, st := startOSS(t)
	rs := st.(RewrapStore)
	ctx := context.Background()
	up, down := newEngines(t, st)
	up.Signer = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	dir := t.TempDir()
	src, want := writeRandom(t, dir, "a.csv", 3*envelope.DefaultChunkSize+5)
	other, _ := writeRandom(t, dir, "b.csv", 1000)
	for key, file := range map[string]string{"a.csv": src, "taken.csv": other} {
		if err := up.Upload(ctx, UploadJob{Source: file, Bucket: "bkt", Key: key, Wrapper: testWrapper(t)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	before, err := st.Head(ctx, "taken.csv")
	if err != nil {
		t.Fatal(err)
	}
	renamer := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, ed25519.SeedSize))
	rw := &Rewrapper{Keys: testKeys(t), Signer: renamer, Policy: &fastPolicy}
	err = rw.Copy(WithNoOverwrite(ctx), rs, "a.csv", "taken.csv", nil, nil)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("a copy over a taken name: %v", err)
	}
	if after, err := st.Head(ctx, "taken.csv"); err != nil || after.ETag != before.ETag {
		t.Fatalf("the taken name changed: %v -> %v (%v)", before.ETag, after.ETag, err)
	}

	stale := []byte("a table of an object gone")
	if err := st.Put(ctx, LeavesKey("new.csv"), bytes.NewReader(stale), int64(len(stale)), nil); err != nil {
		t.Fatal(err)
	}
	if err := rw.Copy(WithNoOverwrite(ctx), rs, "a.csv", "new.csv", nil, nil); err != nil {
		t.Fatal(err)
	}
	if info, err := st.Head(ctx, LeavesKey("new.csv")); err != nil || info.Size == int64(len(stale)) {
		t.Fatalf("the stale leaf table was kept (%v)", err)
	}
	var got bytes.Buffer
	res, err := down.Stream(ctx, st, "new.csv", &got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) || !bytes.Equal(res.Envelope.Signer, renamer.Public().(ed25519.PublicKey)) || res.Envelope.UploadedKey != "new.csv" || len(res.Envelope.Wraps()) != 1 {
		t.Fatalf("the copy: %d bytes, signer %x, uploaded as %q, %d wraps", got.Len(), res.Envelope.Signer, res.Envelope.UploadedKey, len(res.Envelope.Wraps()))
	}
}
