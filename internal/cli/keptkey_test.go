package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
	"github.com/ossvault/ossvault/vault"
)

// addColleague adds a colleague's public key, name, to h's vault.
func addColleague(t *testing.T, h *harness, name string) {
	t.Helper()
	k, _ := newPrivatePEM(t, 2048)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name+".pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	h.must("key", "add-public", name, "--public-key", p)
}

// pausedUpload starts a multipart upload locked for keyName into h's
// bucket through the real engine and pauses it after its first part, as
// the app does, leaving its journal record (and, for a colleague's key,
// its data key in the keychain). It returns the record's id.
func pausedUpload(t *testing.T, h *harness, keyName, key string) string {
	t.Helper()
	v, err := vault.Open(h.home)
	if err != nil {
		t.Fatal(err)
	}
	w, err := v.Wrapper(context.Background(), keyName)
	if err != nil {
		t.Fatal(err)
	}
	client, err := osssdk.Connect(transfer.Conn{Endpoint: h.srv.Endpoint, AccessKeyID: h.srv.AccessKeyID, AccessKeySecret: h.srv.AccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	st, err := client.Bucket("bkt")
	if err != nil {
		t.Fatal(err)
	}
	j, err := transfer.OpenJournal(h.home)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), key)
	writeFile(t, src, 4*transfer.MinPartSize)
	up := &transfer.Uploader{Store: st, Journal: j, Keys: v, Secrets: v.JobSecrets(), PartSize: transfer.MinPartSize, Parts: 1}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	err = up.Upload(ctx, transfer.UploadJob{Source: src, Bucket: "bkt", Key: key, Wrapper: w}, func(done, _ int64) {
		if done >= transfer.MinPartSize {
			cancel(transfer.ErrPaused)
		}
	})
	if err == nil {
		t.Fatal("the upload finished before it could be paused")
	}
	id := transfer.UploadID(src, "bkt", key)
	if !journalHas(t, h.home, id) {
		t.Fatalf("no journal record after the pause (%v)", err)
	}
	return id
}

func journalHas(t *testing.T, home, id string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(home, "journal", id+".json"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// "key rm" of a colleague's key removes the unfinished uploads locked for
// it and the data keys kept for them from the real keychain; an upload for
// another key stays.
func TestKeyRmForgetsItsUnfinishedUploads(t *testing.T) {
	requireKeychain(t)
	h := newHarness(t)
	addColleague(t, h, "alice")
	forAlice := pausedUpload(t, h, "alice", "for-alice")
	forMe := pausedUpload(t, h, "me", "for-me")
	items := keychainEntries(t, h.home) // my key and Alice's upload's data key

	h.must("key", "rm", "alice")
	if got := keychainEntries(t, h.home); got != items-1 {
		t.Fatalf("%d keychain items after key rm, want %d (the kept data key gone)", got, items-1)
	}
	if journalHas(t, h.home, forAlice) {
		t.Fatal("the removed key's unfinished upload is still in the journal")
	}
	if !journalHas(t, h.home, forMe) {
		t.Fatal("key rm removed an upload for another key")
	}
}

// "put" removes the uploads abandoned for longer than
// transfer.MaxRecordAge, with their data keys in the real keychain, and
// leaves younger ones to resume.
func TestPutExpiresAbandonedUploads(t *testing.T) {
	requireKeychain(t)
	h := newHarness(t)
	addColleague(t, h, "alice")
	old := pausedUpload(t, h, "alice", "old")
	young := pausedUpload(t, h, "alice", "young")
	signingFP(t, h) // made now, not by the put below, so that it does not count as a change
	items := keychainEntries(t, h.home)
	// The old one was created, and last written, eight days ago.
	p := filepath.Join(h.home, "journal", old+".json")
	var rec map[string]any
	if err := json.Unmarshal(mustRead(t, p), &rec); err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-8 * 24 * time.Hour)
	rec["created"] = then.UTC().Format(time.RFC3339)
	b, _ := json.Marshal(rec)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, then, then); err != nil {
		t.Fatal(err)
	}

	src := filepath.Join(t.TempDir(), "small")
	writeFile(t, src, 1000)
	h.must("put", src, "oss://bkt/small")
	if journalHas(t, h.home, old) || !journalHas(t, h.home, young) {
		t.Fatalf("after put: old record there %v, young record there %v; want only the young", journalHas(t, h.home, old), journalHas(t, h.home, young))
	}
	if got := keychainEntries(t, h.home); got != items-1 {
		t.Fatalf("%d keychain items after put, want %d (the abandoned upload's data key gone)", got, items-1)
	}
}
