package interop_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// TestSDKObjectWithoutMatDescTwoRSAKeys: another client wrote an object
// without a matdesc for one of the user's two RSA keys of the same size.
// The contract has every private key tried for such an object. Whatever the
// order of the keys, ossvault must deliver the plaintext or fail; it must
// never deliver other bytes as a success.
//
// The oracle-free PKCS #1 v1.5 unwrap turns a wrong key into random bytes
// rather than an error, and other clients' objects carry no ossvault key
// check, so the envelope rejects an unwrapped counter block that lacks the
// zero bytes 8..11 every SDK writes. The wrong key is chosen with the larger
// modulus, so without that check it would be accepted every time.
func TestSDKObjectWithoutMatDescTwoRSAKeys(t *testing.T) {
	w := newWorld(t)
	a, b := w.rsa, w.otherRSA
	right, wrong := a, b
	if a.priv.N.Cmp(b.priv.N) > 0 {
		right, wrong = b, a
	}
	m := rsaMaster(right)
	key := objectKey(t)
	data := payload(t.Name(), 5000)
	writeV1(t, w, m, nil, key, data, shape{name: "put", size: int64(len(data))})
	keys := keyring{
		{wrapAlg: envelope.WrapRSA, id: envelope.NewRSAIdentity(wrong.priv)},
		{wrapAlg: envelope.WrapRSA, id: envelope.NewRSAIdentity(right.priv)},
	}

	t.Run("envelope.Open", func(t *testing.T) {
		info, err := w.store.Head(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		e, err := envelope.ParseHeader(info.Header)
		if err != nil {
			t.Fatal(err)
		}
		want, err := envelope.Open(context.Background(), e, envelope.NewRSAIdentity(right.priv))
		if err != nil {
			t.Fatalf("Open with the right key: %v", err)
		}
		got, err := envelope.Open(context.Background(), e, keys[0].id, keys[1].id)
		if err == nil && (got.Key != want.Key || got.IV != want.IV) {
			t.Error("Open with a wrong key first returned another data key, without an error")
		}
	})
	t.Run("transfer.Downloader", func(t *testing.T) {
		dest := filepath.Join(t.TempDir(), "out.bin")
		_, err := w.downloader(t, keys).Download(context.Background(), transfer.DownloadJob{
			Source: w.store, SourceID: "oss://" + bucketName + "/" + key, Key: key, Dest: dest,
		}, nil)
		if err != nil {
			if !errors.Is(err, envelope.ErrNoKey) {
				t.Logf("the download failed: %v", err)
			}
			return
		}
		sameBytes(t, "download that reported success", readFile(t, dest), data)
	})
}
