package vault

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxEntry is the most the vault puts in one keychain entry. It stays well
// under Windows' 2560-byte limit and macOS's limit after base64 (about 3000).
const maxEntry = 1800

// secretStore keeps secrets of any size in a Keychain, one service per vault.
//
// An entry's value is "1:" + the secret when it fits, else "n:<count>" and
// the secret is split over "<user>#1" ... "<user>#<count>". Every secret is
// written under a fresh random user name (a "ref" recorded in vault.json),
// so a half-written secret never shadows a whole one.
type secretStore struct {
	kc      Keychain
	service string
}

func (s secretStore) put(user, secret string) error {
	if len(secret)+2 <= maxEntry {
		return s.set(user, "1:"+secret)
	}
	var chunks []string
	for rest := secret; rest != ""; {
		n := min(maxEntry, len(rest))
		// Split only between characters, so every entry is valid UTF-8.
		for n < len(rest) && n > 0 && !utf8.RuneStart(rest[n]) {
			n--
		}
		chunks = append(chunks, rest[:n])
		rest = rest[n:]
	}
	for i, c := range chunks {
		if err := s.set(chunkName(user, i), c); err != nil {
			for j := range i {
				_ = s.kc.Delete(s.service, chunkName(user, j))
			}
			return err
		}
	}
	if err := s.set(user, "n:"+strconv.Itoa(len(chunks))); err != nil {
		for j := range chunks {
			_ = s.kc.Delete(s.service, chunkName(user, j))
		}
		return err
	}
	return nil
}

func (s secretStore) set(user, value string) error {
	if err := s.kc.Set(s.service, user, value); err != nil {
		return fmt.Errorf("failed to save a secret in the system keychain: %w", err)
	}
	return nil
}

func chunkName(user string, i int) string { return user + "#" + strconv.Itoa(i+1) }

func (s secretStore) get(user string) (string, error) {
	v, err := s.kc.Get(s.service, user)
	if err != nil {
		return "", fmt.Errorf("failed to read a secret from the system keychain: %w", err)
	}
	switch {
	case strings.HasPrefix(v, "1:"):
		return v[2:], nil
	case strings.HasPrefix(v, "n:"):
		n, err := strconv.Atoi(v[2:])
		if err != nil || n < 1 || n > 1000 {
			return "", errors.New("a keychain entry of this vault is damaged")
		}
		var b strings.Builder
		for i := range n {
			c, err := s.kc.Get(s.service, chunkName(user, i))
			if err != nil {
				return "", fmt.Errorf("failed to read part of a secret from the system keychain: %w", err)
			}
			b.WriteString(c)
		}
		return b.String(), nil
	default:
		return "", errors.New("a keychain entry of this vault is damaged")
	}
}

// delete removes a secret and its parts. A secret that is already gone is
// not an error: deleting is how a failed add is rolled back.
func (s secretStore) delete(user string) error {
	v, err := s.kc.Get(s.service, user)
	if errors.Is(err, ErrSecretMissing) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("failed to remove a secret from the system keychain: %w", err)
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(v, "n:")); err == nil && strings.HasPrefix(v, "n:") {
		for i := range min(n, 1000) {
			if err := s.kc.Delete(s.service, chunkName(user, i)); err != nil && !errors.Is(err, ErrSecretMissing) {
				return fmt.Errorf("failed to remove a secret from the system keychain: %w", err)
			}
		}
	}
	if err := s.kc.Delete(s.service, user); err != nil && !errors.Is(err, ErrSecretMissing) {
		return fmt.Errorf("failed to remove a secret from the system keychain: %w", err)
	}
	return nil
}
