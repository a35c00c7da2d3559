package ui

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
)

// appKeychainItems counts the real Secret Service items of home's vault.
func appKeychainItems(t *testing.T, home string) int {
	t.Helper()
	var reg struct {
		VaultID string `json:"vault_id"`
	}
	b, err := os.ReadFile(filepath.Join(home, "vault.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &reg); err != nil || reg.VaultID == "" {
		t.Fatalf("vault.json: %v", err)
	}
	return testenv.KeychainItems(t, "ossvault:"+reg.VaultID)
}

// pausedColleagueUpload starts a multipart upload to "This computer"
// locked for keyName with the app's vault and pauses it after its first
// part, leaving its journal record and its data key in the keychain.
func pausedColleagueUpload(t *testing.T, b *realBackend, keyName, key string) string {
	t.Helper()
	w, err := b.Vault().Wrapper(context.Background(), keyName)
	if err != nil {
		t.Fatal(err)
	}
	client, err := osssdk.Connect(transfer.Conn{Endpoint: b.Local().Account.Endpoint, AccessKeyID: b.Local().Credential.AccessKeyID, AccessKeySecret: b.Local().Credential.AccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	st, err := client.Bucket(demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), key)
	if err := os.WriteFile(src, make([]byte, 4*transfer.MinPartSize), 0o600); err != nil {
		t.Fatal(err)
	}
	up := &transfer.Uploader{Store: st, Journal: b.Journal(), Keys: b.Vault(), Secrets: b.Vault().JobSecrets(), PartSize: transfer.MinPartSize, Parts: 1}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	err = up.Upload(ctx, transfer.UploadJob{Source: src, Bucket: demoBucket, Key: key, Wrapper: w}, func(done, _ int64) {
		if done >= transfer.MinPartSize {
			cancel(transfer.ErrPaused)
		}
	})
	if err == nil {
		t.Fatal("the upload finished before it could be paused")
	}
	return transfer.UploadID(src, demoBucket, key)
}

func appJournalHas(t *testing.T, home, id string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(home, "journal", id+".json"))
	return err == nil
}

// The app drops uploads abandoned for longer than transfer.MaxRecordAge,
// with their data keys in the real keychain, when it opens; removing a
// colleague's key in the app removes the unfinished uploads locked for it
// and their data keys.
func TestRealKeptDataKeysDoNotOutliveTheirUpload(t *testing.T) {
	testenv.RequireKeychain(t)
	if os.Getenv("OSSVAULT_IN_SERVICES") != "1" {
		t.Skip("needs the real keychain: run under internal/testenv/with-services.sh")
	}
	ctx := context.Background()
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if _, err := b.Keys().AddPublic(ctx, "Colleague", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err != nil {
		t.Fatal(err)
	}
	old := pausedColleagueUpload(t, b, "Colleague", "old.bin")
	young := pausedColleagueUpload(t, b, "Colleague", "young.bin")
	items := appKeychainItems(t, home) // my key and the two kept data keys
	b.Close()

	p := filepath.Join(home, "journal", old+".json")
	var rec map[string]any
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-8 * 24 * time.Hour)
	rec["created"] = then.UTC().Format(time.RFC3339)
	raw, _ = json.Marshal(rec)
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, then, then); err != nil {
		t.Fatal(err)
	}

	b2 := openTestBackend(t, home)
	if appJournalHas(t, home, old) || !appJournalHas(t, home, young) {
		t.Fatalf("after reopening: old record there %v, young there %v; want only the young", appJournalHas(t, home, old), appJournalHas(t, home, young))
	}
	if got := appKeychainItems(t, home); got != items-1 {
		t.Fatalf("%d keychain items after reopening, want %d (the abandoned upload's data key gone)", got, items-1)
	}

	if err := b2.Keys().Remove(ctx, "Colleague"); err != nil {
		t.Fatal(err)
	}
	if appJournalHas(t, home, young) {
		t.Fatal("the removed key's unfinished upload is still in the journal")
	}
	if got := appKeychainItems(t, home); got != items-2 {
		t.Fatalf("%d keychain items after removing the key, want %d (its upload's data key gone)", got, items-2)
	}
}
