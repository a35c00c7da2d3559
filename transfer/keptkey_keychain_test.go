package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/vault"
)

// These tests keep an upload's data key in the real OS keychain through the
// vault, over the real SDK and the local endpoint. Run them under
// internal/testenv/with-services.sh; without a session bus they skip,
// except in CI (CI=true), where they fail.

var _ JobSecrets = vault.JobSecrets{}

func requireKeychain(t *testing.T) { testenv.RequireKeychain(t) }

func openVault(t *testing.T, home string) *vault.Vault {
	t.Helper()
	v, err := vault.Open(home, vault.WithKeychain(vault.LimitedKeychain{Keychain: vault.SystemKeychain{}}))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// keychainEntry reads the vault's raw keychain entry for job secret id,
// past the vault, so the test sees what the keychain holds.
func keychainEntry(t *testing.T, home, id string) bool {
	t.Helper()
	var reg struct {
		VaultID string `json:"vault_id"`
	}
	b, err := os.ReadFile(filepath.Join(home, "vault.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &reg); err != nil {
		t.Fatal(err)
	}
	_, err = gokeyring.Get("ossvault:"+reg.VaultID, "job:"+id)
	if err != nil && !errors.Is(err, gokeyring.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

type colleagueSetup struct {
	srv      *osstest.Server
	st       Bucket
	faults   *osslocal.Faults
	bobHome  string
	bob      *vault.Vault
	alice    *vault.Vault
	journal  *Journal
	src      string
	job      UploadJob
	secretID string
}

// newColleagueSetup: Bob holds his own key and Alice's public key; Alice's
// private key is in her own vault ("her computer").
func newColleagueSetup(t *testing.T, key string) *colleagueSetup {
	t.Helper()
	ctx := context.Background()
	c := &colleagueSetup{faults: osslocal.NewFaults(1), bobHome: t.TempDir()}
	c.srv, c.st = startOSS(t, osstest.WithFaults(c.faults))
	c.alice = openVault(t, t.TempDir())
	if _, err := c.alice.GenerateRSA(ctx, "alice", 2048, nil); err != nil {
		t.Fatal(err)
	}
	pub, err := c.alice.ExportPublic("alice")
	if err != nil {
		t.Fatal(err)
	}
	c.bob = openVault(t, c.bobHome)
	if _, err := c.bob.GenerateRSA(ctx, "me", 2048, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.bob.AddPublicKey("alice", pub, nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.bob.Wrapper(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if c.journal, err = OpenJournal(c.bobHome); err != nil {
		t.Fatal(err)
	}
	c.src, _ = writeRandom(t, t.TempDir(), "src", 6*MinPartSize+3)
	c.job = UploadJob{Source: c.src, Bucket: "bkt", Key: key, Wrapper: w}
	c.secretID = keptKeyID(UploadID(c.job.Source, c.job.Bucket, c.job.Key))
	return c
}

// uploader is Bob's uploader in a new process: a vault opened afresh.
// uploader is Bob's uploader in a new process; stall is its StallTimeout
// (0: the default, for runs that must not stall on a busy machine).
func (c *colleagueSetup) uploader(t *testing.T, stall time.Duration) *Uploader {
	v := openVault(t, c.bobHome)
	return &Uploader{Store: c.st, Journal: c.journal, Keys: v, Secrets: v.JobSecrets(),
		PartSize: MinPartSize, Parts: 1, Policy: &fastPolicy, StallTimeout: stall}
}

// stallAtPart3 runs the upload until part 3 hangs, leaving parts 1-2.
func (c *colleagueSetup) stallAtPart3(t *testing.T) {
	t.Helper()
	c.faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 3, Times: 1, Action: osslocal.Hang()})
	if err := c.uploader(t, stallTimeout).Upload(guarded(t), c.job, nil); !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want ErrStalled", err)
	}
	if !keychainEntry(t, c.bobHome, c.secretID) {
		t.Fatal("the stalled upload's data key is not in the keychain")
	}
}

func (c *colleagueSetup) aliceOpens(t *testing.T) {
	t.Helper()
	down := &Downloader{Keys: c.alice, Policy: &fastPolicy}
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(context.Background(), DownloadJob{Source: c.st, SourceID: "oss://bkt/" + c.job.Key, Key: c.job.Key, Dest: dest}, nil); err != nil {
		t.Fatalf("Alice cannot open the object: %v", err)
	}
	if fileSum(t, dest) != fileSum(t, c.src) {
		t.Fatal("Alice's copy differs from the file uploaded")
	}
}

func TestKeychainColleagueUploadResumes(t *testing.T) {
	requireKeychain(t)
	c := newColleagueSetup(t, "for-alice")
	c.stallAtPart3(t)
	if err := c.uploader(t, 0).Upload(guarded(t), c.job, nil); err != nil {
		t.Fatal(err)
	}
	for n, k := range c.srv.Log.PartsStored("bkt", c.job.Key) {
		if k != 1 {
			t.Errorf("part %d stored %d times, want once", n, k)
		}
	}
	if n := c.srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
		t.Errorf("%d uploads initiated, want 1", n)
	}
	if keychainEntry(t, c.bobHome, c.secretID) {
		t.Error("the data key is still in the keychain after the upload completed")
	}
	c.aliceOpens(t)
	// Bob cannot open what he sent to Alice: only the kept key let him
	// resume it.
	down := &Downloader{Keys: openVault(t, c.bobHome), Policy: &fastPolicy}
	_, err := down.Download(context.Background(), DownloadJob{Source: c.st, SourceID: "x", Key: c.job.Key, Dest: filepath.Join(t.TempDir(), "x")}, nil)
	if err == nil {
		t.Fatal("Bob opened an object locked for Alice")
	}
}

func TestKeychainColleagueUploadCanceled(t *testing.T) {
	requireKeychain(t)
	c := newColleagueSetup(t, "canceled")
	c.stallAtPart3(t)
	if err := c.uploader(t, 0).Forget(c.job); err != nil {
		t.Fatal(err)
	}
	if keychainEntry(t, c.bobHome, c.secretID) {
		t.Error("the data key is still in the keychain after the upload was canceled")
	}
}

func TestKeychainColleagueUploadTamperedKey(t *testing.T) {
	requireKeychain(t)
	c := newColleagueSetup(t, "tampered")
	c.stallAtPart3(t)
	js := c.bob.JobSecrets()
	b, ok, err := js.Get(c.secretID)
	if err != nil || !ok {
		t.Fatalf("Get: %v %v", ok, err)
	}
	b[len(b)-30] ^= 0x80 // a bit of the data key
	if err := js.Put(c.secretID, b); err != nil {
		t.Fatal(err)
	}
	c.srv.Log.Reset()
	if err := c.uploader(t, 0).Upload(guarded(t), c.job, nil); err != nil {
		t.Fatal(err)
	}
	if n := c.srv.Log.Count(osslocal.OpUploadPart); n != 7 {
		t.Errorf("sent %d parts after the tampered key, want all 7 again", n)
	}
	if keychainEntry(t, c.bobHome, c.secretID) {
		t.Error("a data key is still in the keychain after the upload completed")
	}
	c.aliceOpens(t)
}

// A shared link queued for download lives in the keychain, not the
// journal, while the job is unfinished, and is gone once it is done.
func TestKeychainSharedLinkDownload(t *testing.T) {
	requireKeychain(t)
	faults := osslocal.NewFaults(1)
	_, st := startOSS(t, osstest.WithFaults(faults))
	home := t.TempDir()
	v := openVault(t, home)
	if _, err := v.GenerateRSA(context.Background(), "me", 2048, nil); err != nil {
		t.Fatal(err) // gives the vault its id and keychain service
	}
	j, err := OpenJournal(home)
	if err != nil {
		t.Fatal(err)
	}
	up := &Uploader{Store: st, Journal: j, Keys: testKeys(t), Secrets: v.JobSecrets(), Policy: &fastPolicy}
	down := &Downloader{Journal: j, Keys: testKeys(t), Parts: 1, ChunkSize: 1 << 20, Policy: &fastPolicy, StallTimeout: stallTimeout}
	src, _ := writeRandom(t, t.TempDir(), "src", 3<<20)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "shared/q3.bin", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := st.SignURL("shared/q3.bin", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	link, err := ParseLink(raw)
	if err != nil {
		t.Fatal(err)
	}
	sig := link.URL.Query().Get("Signature")
	dest := filepath.Join(t.TempDir(), "q3.bin")
	spec := Spec{Download: &DownloadJob{Source: link, SourceID: link.ID(), Dest: dest}, Note: JobNote{Link: raw}}
	rec, _ := queuedRecord(spec)

	// The first process: the download stalls and fails, to be retried.
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Nth: 2, Action: osslocal.Hang()})
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	q.Add(spec)
	q.Wait()
	if e := q.Jobs()[0]; e.State != Failed {
		t.Fatalf("job %v (%v), want failed on the stall", e.State, e.Err)
	}
	if err := q.JournalErr(); err != nil {
		t.Fatal(err)
	}
	if sig == "" || journalHolds(t, j, url.QueryEscape(sig)) || journalHolds(t, j, sig) {
		t.Fatal("the journal holds the link's signature")
	}
	if !keychainEntry(t, home, linkSecretID(rec.ID)) {
		t.Fatal("the link is not in the keychain")
	}

	// The next process restores it from the keychain and finishes it.
	v2 := openVault(t, home)
	up2 := &Uploader{Store: st, Journal: j, Keys: testKeys(t), Secrets: v2.JobSecrets(), Policy: &fastPolicy}
	// The default stall timeout: this run must finish, however busy the
	// machine.
	down2 := &Downloader{Journal: j, Keys: testKeys(t), Parts: 1, ChunkSize: 1 << 20, Policy: &fastPolicy}
	q2 := NewQueue(up2, down2, 1)
	q2.KeepInJournal(j)
	ids, err := q2.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		l, err := ParseLink(r.Note.Link)
		if err != nil {
			return Spec{}, err
		}
		return Spec{Download: &DownloadJob{Source: l, SourceID: l.ID(), Dest: r.Dest}, Note: r.Note}, nil
	})
	if err != nil || len(ids) != 1 {
		t.Fatalf("restored %v (%v)", ids, err)
	}
	q2.Wait()
	if e := q2.Jobs()[0]; e.State != Done {
		t.Fatalf("restored job %v (%v)", e.State, e.Err)
	}
	if fileSum(t, dest) != fileSum(t, src) {
		t.Fatal("the restored link download differs from the upload")
	}
	if keychainEntry(t, home, linkSecretID(rec.ID)) {
		t.Error("the link is still in the keychain after the download")
	}
}
