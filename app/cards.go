package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// People who use the same bucket can publish their contact card in it,
// under CardsPrefix, so that colleagues add them without mailing a file.
// A card says only what its writer claims, and anyone who can write to the
// bucket can write one: a card is added as any pasted key is, unverified
// until its codes are compared with the person, and a card whose name is
// a known colleague's but whose key is not is an alarm, never a reason to
// change the known key.

// CardsPrefix is where a bucket's contact cards are.
const CardsPrefix = transfer.InternalPrefix + "contacts/"

// CardKind is what a published card is to this computer.
type CardKind int

const (
	// CardNew is someone not among my keys.
	CardNew CardKind = iota
	// CardKnown is a colleague whose key I have, the same key.
	CardKnown
	// CardChanged carries a known colleague's name with another key (or
	// another signing key): someone may be posing as them.
	CardChanged
	// CardMine is one of my own keys.
	CardMine
)

// SeenCard is a card published in a bucket.
type SeenCard struct {
	vault.Card
	Kind CardKind
	// Known is the name of my key it matched (CardKnown, CardChanged,
	// CardMine).
	Known string
	// Object is the card's object key.
	Object string
}

// PublishCard writes the card of my key keyName, under the name people
// know me by, to the bucket of loc, replacing my earlier card of that key.
func (k *realKeys) PublishCard(ctx context.Context, loc Location, keyName, name string) error {
	b := (*Service)(k)
	key, err := b.vault.Key(keyName)
	if err != nil {
		return err
	}
	if key.Kind != vault.KindRSA {
		return fmt.Errorf("only a key pair of your own can be published, not %q", keyName)
	}
	pemData, err := b.vault.ExportPublic(keyName)
	if err != nil {
		return err
	}
	card, err := vault.MakeCard(name, pemData)
	if err != nil {
		return err
	}
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return err
	}
	return st.Put(ctx, CardsPrefix+key.Fingerprint+".card", bytes.NewReader(card), int64(len(card)), map[string]string{})
}

// Cards lists the cards published in loc's bucket, each compared with my
// keys. A card that does not read is left out; how many were is told.
func (k *realKeys) Cards(ctx context.Context, loc Location) (cards []SeenCard, unreadable int, err error) {
	b := (*Service)(k)
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return nil, 0, err
	}
	mine := k.vault.Keys()
	for token := ""; ; {
		p, err := st.ListPage(ctx, CardsPrefix, "", token, 0)
		if err != nil {
			return nil, 0, err
		}
		for _, o := range p.Objects {
			c, err := readCard(ctx, st, o)
			if err != nil {
				if ctx.Err() != nil {
					return nil, 0, ctx.Err()
				}
				unreadable++
				continue
			}
			cards = append(cards, compareCard(c, mine))
		}
		if token = p.Next; token == "" {
			break
		}
	}
	sort.Slice(cards, func(i, j int) bool { return cards[i].Name < cards[j].Name })
	return cards, unreadable, nil
}

func readCard(ctx context.Context, st transfer.Bucket, o transfer.Entry) (SeenCard, error) {
	if o.Size <= 0 || o.Size > vault.MaxCardSize {
		return SeenCard{}, vault.ErrNotACard
	}
	r, _, err := st.GetRange(ctx, o.Key, 0, o.Size-1, "")
	if err != nil {
		return SeenCard{}, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, vault.MaxCardSize+1))
	if err != nil {
		return SeenCard{}, err
	}
	c, err := vault.ParseCard(data)
	if err != nil {
		return SeenCard{}, err
	}
	return SeenCard{Card: c, Object: o.Key}, nil
}

// compareCard says what c is to the keys I have.
func compareCard(c SeenCard, keys []vault.Key) SeenCard {
	for _, k := range keys {
		if k.Fingerprint != c.Fingerprint {
			continue
		}
		c.Known = k.Name
		switch {
		case k.Kind == vault.KindRSA:
			c.Kind = CardMine
		case k.SigningFingerprint != "" && c.SigningCode != k.SigningFingerprint:
			c.Kind = CardChanged // the same key, signed for by someone else
		default:
			c.Kind = CardKnown
		}
		return c
	}
	for _, k := range keys {
		if k.Kind == vault.KindRSAPublic && strings.EqualFold(strings.TrimSpace(k.Name), c.Name) {
			c.Kind, c.Known = CardChanged, k.Name
			return c
		}
	}
	c.Kind = CardNew
	return c
}
