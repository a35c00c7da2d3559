package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// The app signs what it uploads, small and multipart alike, with this
// computer's signing key, bound to the bucket and key it uploaded to.
func TestRealUploadsAreSigned(t *testing.T) {
	b := openTestBackend(t, t.TempDir())
	realUploads(t, b, 1000, "small.txt")
	// Above the part size: multipart, its MAC and signature in tags.
	big := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(big, bytes.Repeat([]byte("payroll "), 12<<17), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.transfers.Upload(context.Background(), UploadRequest{Paths: []string{big},
		Dest: Location{Account: localAccountName, Bucket: demoBucket}, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	pub, ok := b.vault.SigningPublic()
	if !ok {
		t.Fatal("no signing key after uploading")
	}
	st, err := b.store(localAccountName, demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"small.txt", "big.bin"} {
		res, err := (&transfer.Downloader{Keys: b.vault}).Check(context.Background(), st, key, nil)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		e := res.Envelope
		if res.Integrity != envelope.Verified || !e.Signed() || !bytes.Equal(e.Signer, pub) ||
			e.UploadedBucket != demoBucket || e.UploadedKey != key {
			t.Fatalf("%s: %v, signed %v by %x as %s/%s", key, res.Integrity, e.Signed(), e.Signer, e.UploadedBucket, e.UploadedKey)
		}
	}
}
