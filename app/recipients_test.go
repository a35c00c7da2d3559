package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
	"github.com/ossvault/ossvault/vault"
)

func openService(t *testing.T) *Service {
	t.Helper()
	s, err := Open(t.TempDir(), Options{Connect: osssdk.Connect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// localWithKey is a service on "This computer", in the real keychain,
// with a key of mine, "Mine".
func localWithKey(t *testing.T) *Service {
	t.Helper()
	testenv.RequireKeychain(t)
	s := openService(t)
	if _, err := s.StartLocal(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Keys().Generate(context.Background(), "Mine", 2048); err != nil {
		t.Fatal(err)
	}
	return s
}

// colleague makes a key pair in a home of its own and returns its vault
// and its public key.
func colleague(t *testing.T, name string) (*vault.Vault, []byte) {
	t.Helper()
	v, err := vault.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.GenerateRSA(context.Background(), name, 2048, nil); err != nil {
		t.Fatal(err)
	}
	pub, err := v.ExportPublic(name)
	if err != nil {
		t.Fatal(err)
	}
	return v, pub
}

// One upload for me, Bob and Carol is one object each of us opens with
// our own key, and Dave does not; the first wrap is mine.
func TestUploadForSeveral(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	people := map[string]*vault.Vault{"Mine": s.Vault()}
	for _, name := range []string{"Bob", "Carol", "Dave"} {
		v, pub := colleague(t, name)
		people[name] = v
		if _, err := s.Keys().AddPublic(ctx, name, pub); err != nil {
			t.Fatal(err)
		}
	}
	plain := bytes.Repeat([]byte("payroll March: Carol 5200\n"), 50000)
	src := filepath.Join(t.TempDir(), "payroll.csv")
	if err := os.WriteFile(src, plain, 0o600); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine", AlsoFor: []string{"Bob", "Carol"}}); err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	st, err := s.Store(loc.Account, loc.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range people {
		out := filepath.Join(t.TempDir(), "out")
		d := &transfer.Downloader{Keys: v}
		res, err := d.Download(ctx, transfer.DownloadJob{Source: st, SourceID: "oss://demo/payroll.csv", Key: "payroll.csv", Dest: out}, nil)
		if name == "Dave" {
			if !errors.Is(err, envelope.ErrNoKey) {
				t.Fatalf("Dave, who was not chosen: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, plain) || res.Integrity != envelope.Verified {
			t.Fatalf("%s: %d bytes, %v", name, len(got), res.Integrity)
		}
		if w := res.Envelope.Wraps(); len(w) != 3 || w[0].MatDesc[envelope.MatDescKeyName] == "" {
			t.Fatalf("%s: wraps %+v", name, w)
		}
	}
}

// Past what fits in OSS's metadata the upload is refused before anything
// is queued, in the envelope's own terms; the same key twice is refused.
func TestUploadForTooMany(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	var many []string
	for i := range 10 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		name := fmt.Sprintf("Colleague %d", i)
		if _, err := s.Keys().AddPublic(ctx, name, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err != nil {
			t.Fatal(err)
		}
		many = append(many, name)
	}
	src := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(src, []byte("a"), 0o600)
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	_, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine", AlsoFor: many})
	if !errors.Is(err, envelope.ErrTooManyRecipients) {
		t.Fatalf("eleven RSA-2048 recipients: %v", err)
	}
	if n := len(s.Transfers().Jobs()); n != 0 {
		t.Fatalf("%d jobs queued", n)
	}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine", AlsoFor: many[:8]}); err != nil {
		t.Fatalf("nine RSA-2048 recipients, which fit: %v", err)
	}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine", AlsoFor: []string{"Mine"}, Existing: ReplaceExisting}); !errors.Is(err, errSameKeyTwice) {
		t.Fatalf("the same key twice: %v", err)
	}
}

// The journal keeps the further recipients by name: a job built again
// after a restart is locked for the same people.
func TestAlsoForSurvivesTheJournal(t *testing.T) {
	d := transfer.JobDesc{Kind: transfer.JobUpload, Local: "/tmp/x", Account: "a", Bucket: "b", Key: "k", KeyName: "Mine", AlsoFor: []string{"Bob", "Carol"}}
	rec := transfer.QueuedJob{Record: transfer.Record{Kind: transfer.KindQueuedUpload, Source: d.Local}, Bucket: d.Bucket, Key: d.Key, Job: &d}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var loaded transfer.QueuedJob
	if err := json.Unmarshal(b, &loaded); err != nil {
		t.Fatal(err)
	}
	back := loaded.Desc()
	if back.KeyName != "Mine" || len(back.AlsoFor) != 2 || back.AlsoFor[1] != "Carol" {
		t.Fatalf("after the journal: %+v", back)
	}
}
