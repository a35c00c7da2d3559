package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/vault"
)

// vaultItems counts the Secret Service items of home's vault: what the
// keychain really holds, not what the vault believes it wrote.
func vaultItems(t *testing.T, home string) int {
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

// ageRecord makes record id look created and last written that long ago.
func ageRecord(t *testing.T, j *Journal, id string, created, written time.Duration) {
	t.Helper()
	p := filepath.Join(j.Dir(), id+".json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["created"] = time.Now().Add(-created).UTC().Format(time.RFC3339Nano)
	if err := j.Save(id, m); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-written)
	if err := os.Chtimes(p, at, at); err != nil {
		t.Fatal(err)
	}
}

func hasRecord(t *testing.T, j *Journal, id string) bool {
	t.Helper()
	var r Record
	ok, err := j.Load(id, &r)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// The data key of an upload locked for a colleague's public key, kept in
// the real keychain while the upload is unfinished, goes with its journal
// record once the upload has been neither created nor written for
// MaxRecordAge; so does a queued download's kept link. Younger records,
// and records of downloads under way, stay.
func TestKeychainAbandonedUploadExpires(t *testing.T) {
	requireKeychain(t)
	c := newColleagueSetup(t, "abandoned")
	c.stallAtPart3(t)
	upID := UploadID(c.job.Source, c.job.Bucket, c.job.Key)

	// A queued download of a shared link, its link in the keychain, and a
	// download under way.
	js := c.bob.JobSecrets()
	queued := QueuedJob{Record: Record{ID: JobID("queued-link"), Kind: KindQueuedDownload, Source: "link", Dest: "/tmp/q3.bin", Created: time.Now()},
		Note: JobNote{LinkRef: &LinkRef{Object: "https://bkt.example.com/q3.bin"}}}
	if err := c.journal.Save(queued.ID, &queued); err != nil {
		t.Fatal(err)
	}
	if err := js.Put(linkSecretID(queued.ID), []byte("https://bkt.example.com/q3.bin?Signature=s")); err != nil {
		t.Fatal(err)
	}
	down := downloadRecord{Record: Record{ID: JobID("down"), Kind: "download", Source: "oss://bkt/x", Dest: "/tmp/x", Created: time.Now()}}
	if err := c.journal.Save(down.ID, &down); err != nil {
		t.Fatal(err)
	}
	const day = 24 * time.Hour
	ageRecord(t, c.journal, down.ID, 30*day, 30*day)
	items := vaultItems(t, c.bobHome) // Bob's key, the kept data key and the link

	for _, tc := range []struct {
		name             string
		created, written time.Duration
	}{
		{"fresh", 0, 0},
		{"six days", 6 * day, 6 * day},
		{"created long ago, resumed lately", 8 * day, time.Hour},
		{"file time long ago, created lately", time.Hour, 8 * day},
	} {
		ageRecord(t, c.journal, upID, tc.created, tc.written)
		ageRecord(t, c.journal, queued.ID, tc.created, tc.written)
		if err := c.journal.Expire(js); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !hasRecord(t, c.journal, upID) || !hasRecord(t, c.journal, queued.ID) || vaultItems(t, c.bobHome) != items {
			t.Fatalf("%s: a record or a keychain item went", tc.name)
		}
	}

	ageRecord(t, c.journal, upID, 8*day, 8*day)
	ageRecord(t, c.journal, queued.ID, 8*day, 8*day)
	// Without the keychain the records stay: removing them would leave
	// their secrets with nothing to remove them.
	if err := c.journal.Expire(nil); err == nil {
		t.Fatal("Expire without JobSecrets reported nothing left behind")
	}
	if !hasRecord(t, c.journal, upID) || !hasRecord(t, c.journal, queued.ID) || vaultItems(t, c.bobHome) != items {
		t.Fatal("Expire without JobSecrets removed a record whose secret it could not")
	}

	if err := c.journal.Expire(openVault(t, c.bobHome).JobSecrets()); err != nil {
		t.Fatal(err)
	}
	if hasRecord(t, c.journal, upID) || hasRecord(t, c.journal, queued.ID) {
		t.Fatal("an abandoned record is still in the journal")
	}
	if got := vaultItems(t, c.bobHome); got != items-2 {
		t.Fatalf("%d keychain items after expiry, want %d (the kept data key and link gone)", got, items-2)
	}
	if keychainEntry(t, c.bobHome, c.secretID) {
		t.Fatal("the abandoned upload's data key is still in the keychain")
	}
	if !hasRecord(t, c.journal, down.ID) {
		t.Fatal("the record of a download under way was removed, leaving its partial file")
	}

	// The next run of the same upload starts over, and finishes.
	c.srv.Log.Reset()
	if err := c.uploader(t, 0).Upload(guarded(t), c.job, nil); err != nil {
		t.Fatal(err)
	}
	if n := c.srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
		t.Fatalf("%d uploads initiated after expiry, want a new one", n)
	}
	c.aliceOpens(t)
}

// Removing a key (the vault's Remove, with the hook the command line and
// the app give it) removes the unfinished uploads locked for it and the
// data keys kept for them from the real keychain; those for other keys
// stay.
func TestKeychainRemovedKeyForgetsItsUploads(t *testing.T) {
	requireKeychain(t)
	ctx := context.Background()
	c := newColleagueSetup(t, "for-alice")
	c.stallAtPart3(t)
	aliceUp := UploadID(c.job.Source, c.job.Bucket, c.job.Key)

	// An upload locked for Bob's own key, stalled too: no kept key.
	w, err := c.bob.Wrapper(ctx, "me")
	if err != nil {
		t.Fatal(err)
	}
	mine := UploadJob{Source: c.src, Bucket: "bkt", Key: "for-me", Wrapper: w}
	c.faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 3, Times: 1, Action: osslocal.Hang()})
	if err := c.uploader(t, stallTimeout).Upload(guarded(t), mine, nil); !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want ErrStalled", err)
	}
	mineUp := UploadID(mine.Source, mine.Bucket, mine.Key)
	// Queued uploads the app kept, one for each key.
	var queued []string
	for _, k := range []string{"alice", "me"} {
		rec, _ := queuedRecord(Spec{Upload: &UploadJob{Source: c.src, Bucket: "bkt", Key: "q-" + k}, Note: JobNote{KeyName: k}})
		rec.Created = time.Now()
		if err := c.journal.Save(rec.ID, &rec); err != nil {
			t.Fatal(err)
		}
		queued = append(queued, rec.ID)
	}
	items := vaultItems(t, c.bobHome)

	v, err := vault.Open(c.bobHome, vault.WithKeychain(vault.LimitedKeychain{Keychain: vault.SystemKeychain{}}),
		vault.WithKeyRemoved(func(v *vault.Vault, k vault.Key) error { return c.journal.ForgetKey(v.JobSecrets(), k.Name, k.Locks) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Remove("alice"); err != nil {
		t.Fatal(err)
	}
	if got := vaultItems(t, c.bobHome); got != items-1 {
		t.Fatalf("%d keychain items after removing the key, want %d (the kept data key gone)", got, items-1)
	}
	if keychainEntry(t, c.bobHome, c.secretID) {
		t.Fatal("the data key kept for the removed key's upload is still in the keychain")
	}
	if hasRecord(t, c.journal, aliceUp) || hasRecord(t, c.journal, queued[0]) {
		t.Fatal("the removed key's unfinished upload is still in the journal")
	}
	if !hasRecord(t, c.journal, mineUp) || !hasRecord(t, c.journal, queued[1]) {
		t.Fatal("an upload for another key was removed")
	}
	// Bob's own upload still resumes.
	c.srv.Log.Reset()
	if err := c.uploader(t, 0).Upload(guarded(t), mine, nil); err != nil {
		t.Fatal(err)
	}
	if n := c.srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 0 {
		t.Fatalf("the other key's upload started over (%d initiated)", n)
	}
}
