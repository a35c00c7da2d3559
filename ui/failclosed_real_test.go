package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// An object the app uploaded, put back by someone holding the bucket's
// AccessKey (the official SDK as the tool) with its ossvault-* headers
// stripped and one ciphertext byte flipped: the file list calls it altered,
// its download fails as altered, and nothing is saved. Before, the list
// said "not protected" and the download ended Done with changed bytes.
func TestRealStrippedObjectShowsAltered(t *testing.T) {
	ctx := context.Background()
	b := openTestBackend(t, t.TempDir())
	realUploads(t, b, 4096, "pay.csv")
	waitJobs(t, b)
	if j := lastJob(t, b); j.State != JobDone {
		t.Fatalf("upload ended %v: %v", j.State, j.Err)
	}
	bk := sdkBucket(t, b)
	h, err := bk.GetObjectDetailedMeta("pay.csv")
	if err != nil {
		t.Fatal(err)
	}
	r, err := bk.GetObject("pay.csv")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	ct[10] ^= 1
	var opts []oss.Option
	stripped := 0
	for name, vals := range h {
		lower := strings.ToLower(name)
		switch {
		case strings.HasPrefix(lower, "x-oss-meta-ossvault-"):
			stripped++
		case strings.HasPrefix(lower, "x-oss-meta-"):
			opts = append(opts, oss.Meta(strings.TrimPrefix(lower, "x-oss-meta-"), vals[0]))
		}
	}
	if stripped == 0 {
		t.Fatalf("the app's object carries no ossvault headers: %v", h)
	}
	if err := bk.PutObject("pay.csv", bytes.NewReader(ct), opts...); err != nil {
		t.Fatal(err)
	}

	loc := Location{Account: localAccountName, Bucket: demoBucket}
	l, err := b.Storage().Lock(ctx, loc, "pay.csv")
	if err != nil {
		t.Fatal(err)
	}
	if l.Seal != SealBroken || sealText(l) != "⚠ altered" {
		t.Fatalf("the list shows the stripped object as %v (%q), want altered", l.Seal, sealText(l))
	}
	dir := t.TempDir()
	if _, err := b.Transfers().Download(ctx, loc, "pay.csv", dir); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	j := lastJob(t, b)
	if j.State != JobFailed || j.Seal != SealBroken || !errors.Is(j.Err, envelope.ErrIntegrity) {
		t.Fatalf("the download ended %v, seal %v: %v", j.State, j.Seal, j.Err)
	}
	if j.Retryable {
		t.Fatal("an altered download is offered Retry, which fails the same way every time")
	}
	if got := detailText(j, func(err error) string { return explain(err, nil) }); !strings.HasPrefix(got, "⚠ altered · ") {
		t.Fatalf("the transfer row says %q", got)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("the download left %v", left)
	}
}

// "This computer", created by the app, only accepts files protected by
// ossvault: a plaintext object put there with the official SDK is refused
// unsaved, in words that do not call it altered. With the setting turned
// off (as Settings does) the same download is saved, marked unprotected.
func TestRealStrictStorageRefusesUnprotected(t *testing.T) {
	ctx := context.Background()
	b := openTestBackend(t, t.TempDir())
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	accts, err := b.Accounts().List(ctx)
	if err != nil || len(accts) == 0 || !accts[0].Local || !accts[0].VerifiedOnly {
		t.Fatalf("the app's own storage is not strict by default: %+v %v", accts, err)
	}
	if err := sdkBucket(t, b).PutObject("plain.txt", strings.NewReader("PAY Mallory 9000")); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	download := func() (Job, string) {
		t.Helper()
		dir := t.TempDir()
		if _, err := b.Transfers().Download(ctx, loc, "plain.txt", dir); err != nil {
			t.Fatal(err)
		}
		waitJobs(t, b)
		return lastJob(t, b), dir
	}
	j, dir := download()
	if j.State != JobFailed || !errors.Is(j.Err, transfer.ErrNotVerified) || j.Seal == SealBroken {
		t.Fatalf("strict storage: %v, seal %v: %v", j.State, j.Seal, j.Err)
	}
	if msg := explain(j.Err, nil); !strings.Contains(msg, "only accepts files protected by ossvault") || strings.Contains(msg, "altered") {
		t.Fatalf("the refusal reads %q", msg)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("the refused download left %v", left)
	}

	if err := b.Accounts().SetVerifiedOnly(ctx, localAccountName, false); err != nil {
		t.Fatal(err)
	}
	j, dir = download()
	if j.State != JobDone {
		t.Fatalf("with the setting off: %v: %v", j.State, j.Err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "plain.txt")); err != nil || string(got) != "PAY Mallory 9000" {
		t.Fatalf("saved %q, %v", got, err)
	}
}
