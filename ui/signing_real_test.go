package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
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
	if _, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{big},
		Dest: Location{Account: localAccountName, Bucket: demoBucket}, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	pub, ok := b.Vault().SigningPublic()
	if !ok {
		t.Fatal("no signing key after uploading")
	}
	st, err := b.Store(localAccountName, demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"small.txt", "big.bin"} {
		res, err := (&transfer.Downloader{Keys: b.Vault()}).Check(context.Background(), st, key, nil)
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

// A download says who wrote the file: me by my key's name, someone whose
// signing key is not among mine as such, and a copy under another name as
// uploaded elsewhere, with the name and date it was uploaded as.
func TestRealDownloadSaysWhoWrote(t *testing.T) {
	ctx := context.Background()
	b := openTestBackend(t, t.TempDir())
	realUploads(t, b, 1000, "pay.csv")
	waitJobs(t, b)
	st, err := b.Store(localAccountName, demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	// Someone with my public key (it is public) but their own signing key.
	w, err := b.Vault().Wrapper(ctx, "Mine")
	if err != nil {
		t.Fatal(err)
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	forged := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(forged, []byte("PAY Mallory 9000"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (&transfer.Uploader{Store: st, Keys: b.Vault(), Signer: stranger}).Upload(ctx,
		transfer.UploadJob{Source: forged, Bucket: demoBucket, Key: "invoice.pdf", Wrapper: w}, nil); err != nil {
		t.Fatal(err)
	}
	// A copy of my file under another name, made with the official SDK.
	if _, err := sdkBucket(t, b).CopyObject("pay.csv", "bob.csv"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		key, want string
		known     bool
		moved     bool
	}{
		{"pay.csv", "from me ✓", true, false},
		{"invoice.pdf", "⚠ from someone not in your keys (", false, false},
		{"bob.csv", "from me ✓ · ⚠ uploaded as oss://" + demoBucket + "/pay.csv on ", true, true},
	} {
		if _, err := b.Transfers().Download(ctx, Location{Account: localAccountName, Bucket: demoBucket}, tc.key, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		waitJobs(t, b)
		j := lastJob(t, b)
		if j.State != JobDone || j.Seal != SealVerified || !j.Writer.Signed || (j.Writer.Name != "") != tc.known || j.Writer.Moved != tc.moved {
			t.Fatalf("%s: %v %v, writer %+v: %v", tc.key, j.State, j.Seal, j.Writer, j.Err)
		}
		if got := detailText(j, func(err error) string { return explain(err, nil) }); !strings.Contains(got, "✓ intact · "+tc.want) {
			t.Fatalf("%s: the row says %q, want %q", tc.key, got, tc.want)
		}
	}
}

// Adding a colleague's key under a name that already holds a different
// key is refused, in words that say what it may mean and what to do.
func TestRealChangedColleagueKeyIsAnAlarm(t *testing.T) {
	ctx := context.Background()
	b := openTestBackend(t, t.TempDir())
	first := colleaguePEM(t)
	if _, err := b.Keys().AddPublic(ctx, "Bob", first); err != nil {
		t.Fatal(err)
	}
	_, err := b.Keys().AddPublic(ctx, "Bob", colleaguePEM(t))
	if !errors.Is(err, vault.ErrKeyChanged) {
		t.Fatalf("a changed key for Bob: %v", err)
	}
	if msg := explain(err, nil); !strings.Contains(msg, "Someone may be pretending to be your colleague") {
		t.Fatalf("the app says %q", msg)
	}
}
