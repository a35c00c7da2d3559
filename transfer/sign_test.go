package transfer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

// With a Signer, single and multipart uploads are signed with the job's
// bucket and key and the uploader's clock, and read back signed and
// verified through the real SDK and endpoint.
func TestUploadSigned(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	_, priv, _ := ed25519.GenerateKey(nil)
	at := time.Date(2026, 5, 1, 9, 30, 15, 999, time.FixedZone("CST", 8*3600))
	up.Signer = priv
	up.Now = func() time.Time { return at }
	dir := t.TempDir()
	for _, tc := range []struct {
		key  string
		size int
	}{
		{"small/ä b.csv", 1000},
		{"multi/part", 3*MinPartSize + 77},
	} {
		src, _ := writeRandom(t, dir, filepath.Base(tc.key), tc.size)
		if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: tc.key, Wrapper: testWrapper(t)}, nil); err != nil {
			t.Fatal(err)
		}
		res, err := down.Check(context.Background(), st, tc.key, nil)
		if err != nil || res.Integrity != envelope.Verified {
			t.Fatalf("%s: %v %v", tc.key, res, err)
		}
		e := res.Envelope
		if !e.Signed() || e.CheckSignature() != nil || !bytes.Equal(e.Signer, priv.Public().(ed25519.PublicKey)) {
			t.Fatalf("%s: not signed by the uploader", tc.key)
		}
		if e.UploadedAs() != "oss://bkt/"+tc.key || !e.UploadedAt.Equal(at.Truncate(time.Second)) || e.UploadedAt.Location() != time.UTC {
			t.Fatalf("%s: bound %s at %v", tc.key, e.UploadedAs(), e.UploadedAt)
		}
		if e.Integrity.Alg != envelope.MACAlgSigned {
			t.Fatalf("%s: MAC %s", tc.key, e.Integrity.Alg)
		}
	}
	// Without a Signer nothing changes: a v2 MAC, no signature.
	up.Signer = nil
	src, _ := writeRandom(t, dir, "plain", 500)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "unsigned", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := down.Check(context.Background(), st, "unsigned", nil)
	if err != nil || res.Envelope.Signed() || res.Envelope.Integrity.Alg != envelope.MACAlg {
		t.Fatalf("unsigned upload: %+v %v", res, err)
	}
}

// SignerFrom is asked when an upload starts; when it cannot give the key
// (a locked keychain), the upload fails and stores nothing, rather than
// writing the object unsigned.
func TestUploadSignerFrom(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	_, priv, _ := ed25519.GenerateKey(nil)
	locked := errors.New("the keychain is locked")
	var asked int
	up.SignerFrom = func() (ed25519.PrivateKey, error) {
		asked++
		if asked == 1 {
			return nil, locked
		}
		return priv, nil
	}
	src, _ := writeRandom(t, t.TempDir(), "f", 1000)
	job := UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}
	if err := up.Upload(context.Background(), job, nil); !errors.Is(err, locked) {
		t.Fatalf("with the key unreadable: %v", err)
	}
	if _, err := st.Head(context.Background(), "k"); !errors.Is(err, ErrNoSuchObject) {
		t.Fatalf("an object was stored without its signature: %v", err)
	}
	if err := up.Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	res, err := down.Check(context.Background(), st, "k", nil)
	if err != nil || !res.Envelope.Signed() || !bytes.Equal(res.Envelope.Signer, priv.Public().(ed25519.PublicKey)) {
		t.Fatalf("signed through SignerFrom: %+v %v", res, err)
	}
}
