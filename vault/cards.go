package vault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// A contact card is what a person publishes so that colleagues can add
// them without a file passed by hand: a first line naming the format, a
// "name:" line, then the PEM blocks "key export-public" prints (the RSA
// public key, and the signing key that goes with it). Nothing in it is
// secret. A card says only what its writer claims: whoever can write to
// the place it is read from can publish one in anyone's name, so a card
// is added unverified, and its codes are compared with the person as for
// any pasted key.

// cardHeader is a card's first line.
const cardHeader = "ossvault contact card"

// MaxCardSize bounds what is read as a card: a real one is under 2 KiB.
const MaxCardSize = 64 << 10

// ErrNotACard is a text that is not a contact card.
var ErrNotACard = errors.New("not an ossvault contact card")

// Card is a parsed contact card.
type Card struct {
	Name string
	// PEM is the card's key blocks, as AddPublicKey takes them.
	PEM []byte
	// Fingerprint and SigningCode are the codes people compare.
	Fingerprint string
	SigningCode string
}

// MakeCard is the card of name with the key blocks pemData (the output of
// ExportPublic).
func MakeCard(name string, pemData []byte) ([]byte, error) {
	if err := checkCardName(name); err != nil {
		return nil, err
	}
	c := fmt.Appendf(nil, "%s\nname: %s\n", cardHeader, name)
	c = append(c, pemData...)
	if _, err := ParseCard(c); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseCard reads a card; any failure wraps ErrNotACard.
func ParseCard(data []byte) (Card, error) {
	if len(data) > MaxCardSize {
		return Card{}, fmt.Errorf("%w: it is %d bytes, more than a card's %d", ErrNotACard, len(data), MaxCardSize)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if len(lines) < 2 || lines[0] != cardHeader {
		return Card{}, fmt.Errorf("%w: it does not start with %q", ErrNotACard, cardHeader)
	}
	name, ok := strings.CutPrefix(lines[1], "name: ")
	if !ok {
		return Card{}, fmt.Errorf("%w: its second line is not \"name: …\"", ErrNotACard)
	}
	if err := checkCardName(name); err != nil {
		return Card{}, fmt.Errorf("%w: %w", ErrNotACard, err)
	}
	rest := data[bytes.Index(data, []byte(lines[1]))+len(lines[1]):]
	pub, err := parsePublicKeyPEM(rest)
	if err != nil {
		return Card{}, fmt.Errorf("%w: %w", ErrNotACard, err)
	}
	c := Card{Name: name, PEM: bytes.TrimLeft(rest, "\r\n"), Fingerprint: Fingerprint(pub)}
	sig, err := parseSigningPEM(rest)
	if err != nil {
		return Card{}, fmt.Errorf("%w: %w", ErrNotACard, err)
	}
	if sig != nil {
		c.SigningCode = SigningFingerprint(sig)
	}
	return c, nil
}

func checkCardName(name string) error {
	switch {
	case strings.TrimSpace(name) == "" || name != strings.TrimSpace(name):
		return errors.New("a card's name must not be empty or start or end with a space")
	case len(name) > 200 || !utf8.ValidString(name) || strings.ContainsAny(name, "\r\n\x00"):
		return errors.New("a card's name must be one line of text of at most 200 bytes")
	}
	return nil
}
