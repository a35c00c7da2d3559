package vault

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// A card made from an exported key reads back with its name, its key as
// AddPublicKey takes it, and both codes; AddPublicKey of it gives the same
// codes.
func TestCardRoundTrip(t *testing.T) {
	v := newTestVault(t)
	k, err := v.GenerateRSA(context.Background(), "mine", 2048, nil)
	if err != nil {
		t.Fatal(err)
	}
	pemData, err := v.ExportPublic("mine")
	if err != nil {
		t.Fatal(err)
	}
	card, err := MakeCard("王芳 (Finance)", pemData)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCard(card)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "王芳 (Finance)" || c.Fingerprint != k.Fingerprint || c.SigningCode == "" || !bytes.Equal(c.PEM, pemData) {
		t.Fatalf("card read back as %+v", c)
	}
	other := newTestVault(t)
	added, err := other.AddPublicKey("Wang", c.PEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	if added.Fingerprint != c.Fingerprint {
		t.Fatalf("added as %s, the card says %s", added.Fingerprint, c.Fingerprint)
	}
}

func TestCardRefused(t *testing.T) {
	v := newTestVault(t)
	if _, err := v.GenerateRSA(context.Background(), "mine", 2048, nil); err != nil {
		t.Fatal(err)
	}
	pemData, err := v.ExportPublic("mine")
	if err != nil {
		t.Fatal(err)
	}
	good, err := MakeCard("Bob", pemData)
	if err != nil {
		t.Fatal(err)
	}
	sig := strings.Index(string(good), "-----BEGIN "+SigningPEMType)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"a bare key", pemData},
		{"no name line", append([]byte(cardHeader+"\n"), pemData...)},
		{"empty name", append([]byte(cardHeader+"\nname: \n"), pemData...)},
		{"name with spaces around", append([]byte(cardHeader+"\nname:  Bob \n"), pemData...)},
		{"no key", []byte(cardHeader + "\nname: Bob\n")},
		{"a private key", []byte(cardHeader + "\nname: Bob\n-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")},
		{"damaged signing key", append(good[:sig:sig], "-----BEGIN "+SigningPEMType+"-----\nAAAA\n-----END "+SigningPEMType+"-----\n"...)},
		{"too large", append(append([]byte{}, good...), bytes.Repeat([]byte("x"), MaxCardSize)...)},
	} {
		if _, err := ParseCard(tc.data); !errors.Is(err, ErrNotACard) {
			t.Errorf("%s: ParseCard gave %v, want ErrNotACard", tc.name, err)
		}
	}
	if _, err := MakeCard("two\nlines", pemData); err == nil {
		t.Error("MakeCard took a name of two lines")
	}
}

// FuzzParseCard: any input is a card or ErrNotACard, never a panic, and a
// card's name is one line.
func FuzzParseCard(f *testing.F) {
	f.Add([]byte(cardHeader + "\nname: Bob\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte(cardHeader + "\r\nname: Bob\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCard(data)
		if err != nil {
			if !errors.Is(err, ErrNotACard) {
				t.Fatalf("error %v does not wrap ErrNotACard", err)
			}
			return
		}
		if c.Name == "" || strings.ContainsAny(c.Name, "\r\n") || c.Fingerprint == "" {
			t.Fatalf("parsed %+v", c)
		}
	})
}
