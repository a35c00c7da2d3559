package app

import (
	"bytes"
	"context"
	"testing"

	"github.com/ossvault/ossvault/vault"
)

// Cards published in a bucket, on the real endpoint: my own reads as
// mine, a stranger's as new, the same colleague once added as known, and
// a card in a known colleague's name with another key as changed, an
// alarm that leaves the known key as it was. What is not a card is
// counted, not shown.
func TestCardsInTheBucket(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	if err := s.Keys().PublishCard(ctx, loc, "Mine", "Alice Chen"); err != nil {
		t.Fatal(err)
	}
	bk := sdkBucket(t, s)
	publish := func(name string, pub []byte) {
		t.Helper()
		card, err := vault.MakeCard(name, pub)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := vault.ParseCard(card)
		if err := bk.PutObject(CardsPrefix+c.Fingerprint+".card", bytes.NewReader(card)); err != nil {
			t.Fatal(err)
		}
	}
	_, bobPub := colleague(t, "bob")
	publish("Bob", bobPub)
	if err := bk.PutObject(CardsPrefix+"junk.card", bytes.NewReader([]byte("not a card"))); err != nil {
		t.Fatal(err)
	}
	kinds := func() map[string]SeenCard {
		t.Helper()
		cards, unreadable, err := s.Keys().Cards(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		if unreadable != 1 {
			t.Errorf("%d objects did not read as cards, want the junk one", unreadable)
		}
		out := map[string]SeenCard{}
		for _, c := range cards {
			out[c.Name+"/"+c.Fingerprint] = c
		}
		return out
	}
	bob, _ := vault.ParseCard(must(vault.MakeCard("Bob", bobPub)))
	got := kinds()
	if len(got) != 2 || got["Bob/"+bob.Fingerprint].Kind != CardNew {
		t.Fatalf("before adding Bob: %+v", got)
	}
	for _, c := range got {
		if c.Name == "Alice Chen" && (c.Kind != CardMine || c.Known != "Mine") {
			t.Fatalf("my own card reads as %+v", c)
		}
	}

	if _, err := s.Keys().AddPublic(ctx, "Bob", bob.PEM); err != nil {
		t.Fatal(err)
	}
	if c := kinds()["Bob/"+bob.Fingerprint]; c.Kind != CardKnown || c.Known != "Bob" {
		t.Fatalf("Bob once added reads as %+v", c)
	}

	// Someone publishes a card in Bob's name with a key of their own.
	_, otherPub := colleague(t, "mallory")
	publish("Bob", otherPub)
	other, _ := vault.ParseCard(must(vault.MakeCard("Bob", otherPub)))
	if c := kinds()["Bob/"+other.Fingerprint]; c.Kind != CardChanged || c.Known != "Bob" {
		t.Fatalf("a second key in Bob's name reads as %+v", c)
	}
	keys, err := s.Keys().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Name == "Bob" && k.Fingerprint != bob.Fingerprint {
			t.Fatal("the changed card replaced Bob's key")
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
