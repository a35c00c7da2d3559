package transfer

import (
	"errors"
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
