package transfer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossvault/ossvault/envelope"
)

// Wrappers lock one object for several keys, single and multipart: each
// recipient's key alone downloads and verifies it through the real SDK
// and endpoint, and the first key is the SDK headers' wrap.
func TestUploadSeveralRecipients(t *testing.T) {
	_, st := startOSS(t)
	up, _ := newEngines(t, st)
	_, priv, _ := ed25519.GenerateKey(nil)
	up.Signer = priv
	others := make([]*rsa.PrivateKey, 2)
	ws := []envelope.Wrapper{testWrapper(t)}
	for i := range others {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		others[i] = k
		ws = append(ws, envelope.NewRSAWrapper(&k.PublicKey, envelope.MatDesc{"desc": []string{"bob", "carol"}[i]}))
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		key  string
		size int
	}{{"small", 1000}, {"multi", 3*MinPartSize + 77}} {
		src, data := writeRandom(t, dir, tc.key, tc.size)
		if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: tc.key, Wrappers: ws}, nil); err != nil {
			t.Fatal(err)
		}
		for i, id := range []envelope.Identity{envelope.NewRSAIdentity(rsaKey(t)), envelope.NewRSAIdentity(others[0]), envelope.NewRSAIdentity(others[1])} {
			down := &Downloader{Keys: keyring{id}, Parts: 2, Policy: &fastPolicy}
			dst := filepath.Join(dir, tc.key+".out")
			res, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/" + tc.key, Key: tc.key, Dest: dst}, nil)
			if err != nil || res.Integrity != envelope.Verified {
				t.Fatalf("%s, recipient %d: %v %v", tc.key, i, res, err)
			}
			got, _ := os.ReadFile(dst)
			if string(got) != string(data) {
				t.Fatalf("%s, recipient %d: wrong plaintext", tc.key, i)
			}
			os.Remove(dst)
			e := res.Envelope
			if e.Integrity.Alg != envelope.MACAlgRecipients || len(e.Wraps()) != 3 || e.MatDesc["desc"] != "test" {
				t.Fatalf("%s: %s, %d wraps, first %v", tc.key, e.Integrity.Alg, len(e.Wraps()), e.MatDesc)
			}
		}
	}
}

// Past OSS's 8 KB of metadata the upload is refused in a plain sentence
// before any request reaches the endpoint, single and multipart.
func TestUploadTooManyRecipients(t *testing.T) {
	srv, st := startOSS(t)
	up, _ := newEngines(t, st)
	_, priv, _ := ed25519.GenerateKey(nil)
	up.Signer = priv
	ws := make([]envelope.Wrapper, 10) // 9 RSA-2048 recipients fit
	for i := range ws {
		ws[i] = testWrapper(t)
	}
	before := len(srv.Log.Entries())
	dir := t.TempDir()
	for _, size := range []int{1000, 3*MinPartSize + 77} {
		src, _ := writeRandom(t, dir, "f", size)
		err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "too-many", Wrappers: ws}, nil)
		if !errors.Is(err, envelope.ErrTooManyRecipients) {
			t.Fatalf("%d bytes: %v", size, err)
		}
	}
	if n := len(srv.Log.Entries()) - before; n != 0 {
		t.Fatalf("%d requests reached the endpoint", n)
	}
	if err := up.Upload(context.Background(), UploadJob{Source: filepath.Join(dir, "f"), Bucket: "bkt", Key: "nine", Wrappers: ws[:9]}, nil); err != nil {
		t.Fatalf("nine recipients: %v", err)
	}
}
