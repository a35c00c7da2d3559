package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// sdkBucket is the demo bucket as the official SDK sees it.
func sdkBucket(t *testing.T, s *Service) *oss.Bucket {
	t.Helper()
	l := s.Local()
	c, err := oss.New(l.Account.Endpoint, l.Credential.AccessKeyID, l.Credential.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := c.Bucket(DemoBucket)
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

// rawObject is an object's stored bytes and metadata, read with the SDK.
func rawObject(t *testing.T, bk *oss.Bucket, key string) ([]byte, map[string]string) {
	t.Helper()
	h, err := bk.GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	body, err := bk.GetObject(key)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{}
	for k, v := range h {
		if rest, ok := strings.CutPrefix(strings.ToLower(k), "x-oss-meta-"); ok {
			meta[rest] = v[0]
		}
	}
	return data, meta
}

// flipBit flips one bit of the object key's stored bytes at byte at,
// keeping its metadata, and returns the bytes now stored.
func flipBit(t *testing.T, bk *oss.Bucket, key string, at int) []byte {
	t.Helper()
	data, meta := rawObject(t, bk, key)
	data[at] ^= 0x01
	var opts []oss.Option
	for k, v := range meta {
		opts = append(opts, oss.Meta(k, v))
	}
	if err := bk.PutObject(key, bytes.NewReader(data), opts...); err != nil {
		t.Fatal(err)
	}
	return data
}

// downloadOne downloads key into a new folder and returns the finished job
// and the file's bytes.
func downloadOne(t *testing.T, s *Service, loc Location, key string) (Job, []byte) {
	t.Helper()
	dir := t.TempDir()
	id, err := s.Transfers().Download(context.Background(), loc, key, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	for _, j := range s.Transfers().Jobs() {
		if j.ID == id {
			if j.State != JobDone {
				t.Fatalf("download of %s: %v %v", key, j.State, j.Err)
			}
			data, err := os.ReadFile(j.Local)
			if err != nil {
				t.Fatal(err)
			}
			return j, data
		}
	}
	t.Fatalf("no job %s", id)
	return Job{}, nil
}

// A renamed ossvault file keeps its bytes, reads as written by me under
// its new name and verifies; the old name and its leaf table are gone.
// That holds for one sent whole and for one sent in parts (check in tags).
func TestRenameReSignsUnderTheNewName(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	dir := t.TempDir()
	small := bytes.Repeat([]byte("invoice "), (2<<20+4000)/8) // three chunks: it has a leaf table
	big := bytes.Repeat([]byte("ledger "), (transfer.DefaultPartSize+1<<20)/7)
	os.WriteFile(filepath.Join(dir, "invoice.pdf"), small, 0o600)
	os.WriteFile(filepath.Join(dir, "ledger.bin"), big, 0o600)
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket, Prefix: "docs/"}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{filepath.Join(dir, "invoice.pdf"), filepath.Join(dir, "ledger.bin")}, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	st, err := s.Store(loc.Account, loc.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key, name string
		want      []byte
	}{
		{"docs/invoice.pdf", "invoice 2026.pdf", small},
		{"docs/ledger.bin", "ledger-old.bin", big},
	} {
		if _, err := st.Head(ctx, transfer.LeavesKey(tc.key)); err != nil {
			t.Fatalf("%s has no leaf table to start with: %v", tc.key, err)
		}
		newKey, err := s.Storage().Rename(ctx, loc, tc.key, tc.name)
		if err != nil {
			t.Fatalf("rename %s: %v", tc.key, err)
		}
		if newKey != "docs/"+tc.name {
			t.Fatalf("renamed to %q", newKey)
		}
		for _, gone := range []string{tc.key, transfer.LeavesKey(tc.key)} {
			if _, err := st.Head(ctx, gone); !errors.Is(err, transfer.ErrNoSuchObject) {
				t.Errorf("%s is still there after the rename: %v", gone, err)
			}
		}
		l, err := s.Storage().Lock(ctx, loc, newKey)
		if err != nil {
			t.Fatal(err)
		}
		if l.Kind != LockMine || l.Seal != SealPresent || !l.Writer.Signed || !l.Writer.Me || l.Writer.Moved ||
			l.Writer.UploadedAs != "oss://"+DemoBucket+"/"+newKey {
			t.Errorf("%s: lock %+v", newKey, l)
		}
		j, got := downloadOne(t, s, loc, newKey)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: the renamed file's content differs (%d bytes, want %d)", newKey, len(got), len(tc.want))
		}
		if j.Seal != SealVerified || !j.Writer.Me || j.Writer.Moved {
			t.Errorf("%s: download seal %v, writer %+v", newKey, j.Seal, j.Writer)
		}
	}
}

// What cannot be renamed leaves everything as it was: an altered file
// (nobody re-signs what does not verify), a name already taken, a folder,
// a name that is no name.
func TestRenameRefusesAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	dir := t.TempDir()
	for _, name := range []string{"paid.txt", "taken.txt"} {
		os.WriteFile(filepath.Join(dir, name), bytes.Repeat([]byte(name), 3000), 0o600)
	}
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{filepath.Join(dir, "paid.txt"), filepath.Join(dir, "taken.txt")}, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	bk := sdkBucket(t, s)
	if err := s.Storage().NewFolder(ctx, loc, "box"); err != nil {
		t.Fatal(err)
	}
	takenBefore, _ := rawObject(t, bk, "taken.txt")

	// One bit of paid.txt flipped in place, its metadata kept.
	data := flipBit(t, bk, "paid.txt", 100)

	for _, tc := range []struct {
		key, name string
		want      error
		absent    string // a key the refusal must not have written
	}{
		{"paid.txt", "paid-2.txt", envelope.ErrIntegrity, "paid-2.txt"},
		{"paid.txt", "taken.txt", transfer.ErrExists, ""},
		{"box/", "crate", ErrRenameFolder, "crate"},
		{"paid.txt", "", transfer.ErrInvalidName, ""},
		{"paid.txt", "a/b.txt", transfer.ErrInvalidName, "a/b.txt"},
		{"paid.txt", strings.Repeat("x", 1024), transfer.ErrInvalidName, ""},
	} {
		_, err := s.Storage().Rename(ctx, loc, tc.key, tc.name)
		if !errors.Is(err, tc.want) {
			t.Errorf("rename %s to %.20q: %v, want %v", tc.key, tc.name, err, tc.want)
		}
		if tc.absent != "" {
			if ok, err := bk.IsObjectExist(tc.absent); ok || err != nil {
				t.Errorf("rename %s to %.20q wrote %s (%v)", tc.key, tc.name, tc.absent, err)
			}
		}
		if got, _ := rawObject(t, bk, "paid.txt"); !bytes.Equal(got, data) {
			t.Errorf("rename %s to %.20q changed paid.txt", tc.key, tc.name)
		}
		if got, _ := rawObject(t, bk, "taken.txt"); !bytes.Equal(got, takenBefore) {
			t.Errorf("rename %s to %.20q changed taken.txt", tc.key, tc.name)
		}
	}
	if ok, _ := bk.IsObjectExist("box/"); !ok {
		t.Error("the folder is gone")
	}
}

// Another client's file, plain or encrypted without ossvault's check, is
// copied as it is under its new name, metadata and all, and the old name
// removed.
func TestRenameAnotherClientsFile(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	bk := sdkBucket(t, s)
	body := []byte("written by another program\n")
	if err := bk.PutObject("notes.txt", bytes.NewReader(body), oss.ContentType("text/plain"), oss.Meta("owner", "ops")); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	newKey, err := s.Storage().Rename(ctx, loc, "notes.txt", "notes-2025.txt")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := bk.IsObjectExist("notes.txt"); ok {
		t.Error("the old name is still there")
	}
	got, meta := rawObject(t, bk, newKey)
	if !bytes.Equal(got, body) || meta["owner"] != "ops" {
		t.Errorf("renamed: %q, metadata %v", got, meta)
	}
	if h, _ := bk.GetObjectDetailedMeta(newKey); h.Get("Content-Type") != "text/plain" {
		t.Errorf("content type %q", h.Get("Content-Type"))
	}
	if l, err := s.Storage().Lock(ctx, loc, newKey); err != nil || l.Kind != LockNotEncrypted {
		t.Errorf("lock %+v, %v", l, err)
	}

	// Encrypted by another client: the SDK's envelope, no check of ours.
	src := filepath.Join(t.TempDir(), "sdk.bin")
	os.WriteFile(src, bytes.Repeat([]byte("sdk "), 5000), 0o600)
	sdkLoc := Location{Account: LocalAccountName, Bucket: DemoBucket, Prefix: "made/"}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: sdkLoc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	data, meta := rawObject(t, bk, "made/sdk.bin")
	var opts []oss.Option
	for k, v := range meta {
		switch {
		case strings.HasPrefix(k, "ossvault-"):
		case k == envelope.HeaderMatDesc:
			opts = append(opts, oss.Meta(k, `{"desc":"java client"}`))
		default:
			opts = append(opts, oss.Meta(k, v))
		}
	}
	if err := bk.PutObject("java.bin", bytes.NewReader(data), opts...); err != nil {
		t.Fatal(err)
	}
	_, javaMeta := rawObject(t, bk, "java.bin")
	newKey, err = s.Storage().Rename(ctx, loc, "java.bin", "java-2.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, meta = rawObject(t, bk, newKey)
	if !bytes.Equal(got, data) || !maps.Equal(meta, javaMeta) {
		t.Errorf("renamed: %d bytes (want %d), metadata %v, want %v", len(got), len(data), meta, javaMeta)
	}
	if ok, _ := bk.IsObjectExist("java.bin"); ok {
		t.Error("the old name is still there")
	}
}
