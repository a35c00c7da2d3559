package transfer

import (
	"errors"
	"os"
	"testing"
	"time"
)

// While the keychain cannot be used (locked), Expire removes no record
// whose secret it could not remove, says so, and removes both once it can.
func TestExpireWithALockedKeychain(t *testing.T) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := newMemSecrets()
	rec := uploadRecord{Record: Record{ID: JobID("u"), Kind: "upload", Dest: "oss://bkt/k", Created: time.Now()}, KeptKey: true}
	plain := uploadRecord{Record: Record{ID: JobID("p"), Kind: "upload", Dest: "oss://bkt/p", Created: time.Now()}}
	for _, r := range []*uploadRecord{&rec, &plain} {
		if err := j.Save(r.ID, r); err != nil {
			t.Fatal(err)
		}
		ageRecord(t, j, r.ID, 8*24*time.Hour, 8*24*time.Hour)
	}
	s.m[keptKeyID(rec.ID)] = []byte("key")
	locked := errors.New("the keychain is locked")
	s.fail = locked
	if err := j.Expire(s); !errors.Is(err, locked) {
		t.Fatalf("Expire with a locked keychain: %v", err)
	}
	if !hasRecord(t, j, rec.ID) || len(s.m) != 1 {
		t.Fatal("the record went while its data key could not")
	}
	if hasRecord(t, j, plain.ID) {
		t.Fatal("a record without a secret stayed for the locked keychain")
	}
	s.fail = nil
	if err := j.Expire(s); err != nil {
		t.Fatal(err)
	}
	if hasRecord(t, j, rec.ID) || len(s.m) != 0 {
		t.Fatal("the record or its data key stayed once the keychain opened")
	}
}

// Expire removes a leaves file left without its record once it is as old
// as a record it would expire; a recent one, or one with its record, stays.
func TestExpireRemovesStrayLeaves(t *testing.T) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	kept := uploadRecord{Record: Record{ID: JobID("kept"), Kind: "upload", Dest: "oss://bkt/k", Created: time.Now()}}
	if err := j.Save(kept.ID, &kept); err != nil {
		t.Fatal(err)
	}
	old, recent := JobID("old"), JobID("recent")
	for _, id := range []string{kept.ID, old, recent} {
		if err := j.startLeaves(id); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{kept.ID, old} {
		p, _ := j.leavesPath(id)
		past := time.Now().Add(-MaxRecordAge - time.Hour)
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Expire(nil); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{kept.ID: true, old: false, recent: true} {
		p, _ := j.leavesPath(id)
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("leaves file %s: %v, want there %v", id, err, want)
		}
	}
}
