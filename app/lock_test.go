package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/transfer"
)

// The list knows who wrote a file before it is downloaded: the signature
// in its headers (or, for an upload in parts, its tags) names the writer,
// a copy under another name says so, and a signature removed or broken
// reads as altered.
func TestLockNamesTheWriter(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	dir := t.TempDir()
	small := filepath.Join(dir, "invoice.pdf")
	os.WriteFile(small, bytes.Repeat([]byte("invoice "), 1000), 0o600)
	big := filepath.Join(dir, "ledger.bin")
	os.WriteFile(big, bytes.Repeat([]byte("ledger "), (transfer.DefaultPartSize+1<<20)/7), 0o600)
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{small, big}, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	l := s.Local()
	c, err := oss.New(l.Account.Endpoint, l.Credential.AccessKeyID, l.Credential.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := c.Bucket(DemoBucket)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := bk.GetObjectDetailedMeta("ledger.bin"); err != nil || h.Get("X-Oss-Meta-Ossvault-Mac-Place") != "tagging" {
		t.Fatalf("ledger.bin was not uploaded in parts with its check in tags: %v %v", h, err)
	}
	// Alice's invoice copied over another name, headers and all.
	if _, err := bk.CopyObject("invoice.pdf", "bob-invoice.pdf"); err != nil {
		t.Fatal(err)
	}
	// The signature taken off, everything else kept.
	meta, err := bk.GetObjectDetailedMeta("invoice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	var opts []oss.Option
	for k, v := range meta {
		if rest, ok := strings.CutPrefix(strings.ToLower(k), "x-oss-meta-"); ok && rest != "ossvault-sig" {
			opts = append(opts, oss.Meta(rest, v[0]))
		}
	}
	if _, err := bk.CopyObject("invoice.pdf", "unsigned.pdf", append(opts, oss.MetadataDirective(oss.MetaReplace))...); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key   string
		seal  Seal
		moved bool
	}{
		{"invoice.pdf", SealPresent, false},
		{"ledger.bin", SealPresent, false}, // in parts: the signature is in the tags
		{"bob-invoice.pdf", SealPresent, true},
		{"unsigned.pdf", SealBroken, false},
	} {
		got, err := s.Storage().Lock(ctx, loc, tc.key)
		if err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
		if got.Seal != tc.seal {
			t.Errorf("%s: seal %v, want %v", tc.key, got.Seal, tc.seal)
		}
		if tc.seal == SealBroken {
			if got.Writer.Signed {
				t.Errorf("%s: an altered file names a writer: %+v", tc.key, got.Writer)
			}
			continue
		}
		w := got.Writer
		if !w.Signed || w.Name == "" || !w.Me || w.Moved != tc.moved || w.UploadedAt.IsZero() {
			t.Errorf("%s: writer %+v, moved want %v", tc.key, w, tc.moved)
		}
		if tc.moved && w.UploadedAs != "oss://"+DemoBucket+"/invoice.pdf" {
			t.Errorf("%s: uploaded as %q", tc.key, w.UploadedAs)
		}
	}
}

// A copy made for sharing is listed once its link is over, and removing
// it deletes it from the bucket and the list; the original stays.
func TestSharedCopiesExpire(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	_, pub := colleague(t, "Alice")
	if _, err := s.Keys().AddPublic(ctx, "Alice", pub); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "contract.pdf")
	os.WriteFile(src, bytes.Repeat([]byte("contract "), 500), 0o600)
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	shared, err := s.Sharing().Share(ctx, loc, "contract.pdf", "Alice", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Sharing().ExpiredCopies(ctx); len(cs) != 0 {
		t.Fatalf("listed before its link expired: %+v", cs)
	}
	time.Sleep(1100 * time.Millisecond)
	cs, err := s.Sharing().ExpiredCopies(ctx)
	if err != nil || len(cs) != 1 || cs[0].Key != shared.Key || cs[0].For != "Alice" {
		t.Fatalf("expired copies %+v, %v (shared %q)", cs, err, shared.Key)
	}
	if err := s.Sharing().RemoveCopies(ctx, cs); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Store(loc.Account, loc.Bucket)
	if _, err := st.Head(ctx, shared.Key); !errors.Is(err, transfer.ErrNoSuchObject) {
		t.Fatalf("the copy is still there: %v", err)
	}
	if _, err := st.Head(ctx, "contract.pdf"); err != nil {
		t.Fatalf("the original: %v", err)
	}
	if cs, _ := s.Sharing().ExpiredCopies(ctx); len(cs) != 0 {
		t.Fatalf("still listed: %+v", cs)
	}
}
