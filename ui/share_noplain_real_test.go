package ui

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Sharing a file with a colleague makes a copy locked for her without the
// plaintext ever touching a disk: nothing appears in the temp folder, and
// no file in either home holds the plaintext. She opens the copy with her
// own key. Before, the copy was made from a decrypted file in the temp
// folder.
func TestRealShareWritesNoPlaintext(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx := context.Background()
	home, aliceHome := t.TempDir(), t.TempDir()
	b := openTestBackend(t, home)
	if _, err := b.Accounts().StartLocal(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Keys().Generate(ctx, "Mine", 2048); err != nil {
		t.Fatal(err)
	}
	alice := openTestBackend(t, aliceHome)
	if _, err := alice.Keys().Generate(ctx, "Alice's own", 2048); err != nil {
		t.Fatal(err)
	}
	pub, err := alice.Keys().ExportPublic(ctx, "Alice's own")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Keys().AddPublic(ctx, "Alice", pub); err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("salary of Carol: 9000 "), 600<<10) // 13 MB: multipart
	srcDir := t.TempDir()
	src := filepath.Join(srcDir, "pay.bin")
	if err := os.WriteFile(src, plain, 0o600); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	if _, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	os.Remove(src)

	// Looked at while the share runs too: a temporary copy removed at the
	// end still sat on the disk meanwhile.
	probe := plain[:64]
	seen := 0 // progress calls, each a look
	lookIn := func(dir string) {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if data, _ := os.ReadFile(p); bytes.Contains(data, probe) {
				t.Errorf("%s holds the plaintext", p)
			}
			return nil
		})
	}
	shared, err := b.Sharing().Share(ctx, loc, "pay.bin", "Alice", time.Hour, func(done, total int64) {
		seen++
		lookIn(tmp)
	})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("sharing left %d entries in the temp folder", len(left))
	}
	if seen == 0 {
		t.Fatal("the share reported no progress to look in the temp folder at")
	}
	for _, dir := range []string{home, aliceHome, tmp} {
		lookIn(dir)
	}

	// Alice opens her copy, by its link, with her own key.
	out := t.TempDir()
	if _, err := alice.Sharing().OpenLink(ctx, shared.Link, out); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, alice)
	if j := lastJob(t, alice); j.State != JobDone || j.Seal != SealVerified {
		t.Fatalf("Alice's download: %v %v: %v", j.State, j.Seal, j.Err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		t.Fatalf("Alice's folder holds %v", entries)
	}
	got, err := os.ReadFile(filepath.Join(out, entries[0].Name()))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Alice got %d bytes, %v", len(got), err)
	}
}
