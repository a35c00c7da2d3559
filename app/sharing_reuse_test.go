package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// sharedCopies is every copy made for sharing in the demo bucket.
func sharedCopies(t *testing.T, s *Service) []string {
	t.Helper()
	st, err := s.Store(LocalAccountName, DemoBucket)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := st.List(context.Background(), transfer.SharedPrefix, true, func(e transfer.Entry) error {
		if !strings.HasPrefix(e.Key, transfer.SharedPrefix+"leaves") {
			keys = append(keys, e.Key)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

// Sharing the same file with the same colleague again links to the copy
// made for them the first time, and keeps it until the later link ends;
// a changed file, a copy removed, or the colleague's key replaced make a
// new copy.
func TestShareAgainReusesTheCopy(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	_, pub := colleague(t, "Bob")
	if _, err := s.Keys().AddPublic(ctx, "Bob", pub); err != nil {
		t.Fatal(err)
	}
	bk := sdkBucket(t, s)
	// Another client's file: a copy for Bob is a whole upload again.
	if err := bk.PutObject("minutes.txt", strings.NewReader(strings.Repeat("minutes\n", 4000))); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	share := func(d time.Duration) Shared {
		t.Helper()
		sh, err := s.Sharing().Share(ctx, loc, "minutes.txt", "Bob", d, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sh
	}
	first := share(time.Hour)
	second := share(2 * time.Hour)
	if second.Key != first.Key {
		t.Errorf("shared again: a new copy %s beside %s", second.Key, first.Key)
	}
	if got := sharedCopies(t, s); len(got) != 1 {
		t.Errorf("copies after sharing twice: %v", got)
	}
	// The list keeps the copy till the later link's end.
	if cs, _ := s.loadCopies(); len(cs) != 1 || time.Until(cs[0].Expires) < 90*time.Minute {
		t.Errorf("the list of copies: %+v", cs)
	}
	third := share(time.Minute)
	if cs, _ := s.loadCopies(); third.Key != first.Key || len(cs) != 1 || time.Until(cs[0].Expires) < 90*time.Minute {
		t.Errorf("a shorter link shortened the copy's life, or made a new one: %s, %+v", third.Key, cs)
	}

	// The file changed: the copy is of what it was, so a new one.
	if err := bk.PutObject("minutes.txt", strings.NewReader("minutes, corrected\n")); err != nil {
		t.Fatal(err)
	}
	changed := share(time.Hour)
	if changed.Key == first.Key {
		t.Error("a changed file was shared through the copy of its old content")
	}
	// The copy removed: a new one.
	st, _ := s.Store(loc.Account, loc.Bucket)
	if err := st.Delete(ctx, changed.Key); err != nil {
		t.Fatal(err)
	}
	again := share(time.Hour)
	if again.Key == changed.Key {
		t.Error("shared through a copy that is gone")
	}
	// Bob's key replaced: the old copy opens only with his old key.
	if err := s.Keys().Remove(ctx, "Bob"); err != nil {
		t.Fatal(err)
	}
	_, pub2 := colleague(t, "Bob")
	if _, err := s.Keys().AddPublic(ctx, "Bob", pub2); err != nil {
		t.Fatal(err)
	}
	bob2, err := s.Vault().Key("Bob")
	if err != nil {
		t.Fatal(err)
	}
	newKey := share(time.Hour)
	if newKey.Key == again.Key {
		t.Fatal("shared through a copy locked for Bob's old key")
	}
	info, err := st.Head(ctx, newKey.Key)
	if err != nil {
		t.Fatal(err)
	}
	env, err := envelope.ParseHeader(info.Header)
	if err != nil || !lockedFor(env, bob2.MatDesc) {
		t.Errorf("the new copy is not locked for Bob's new key: %v", err)
	}
}
