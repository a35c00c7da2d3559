package vault

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A locked keychain is also an unavailable one, whatever the reason it stayed
// locked and however deeply it is wrapped, and its message tells the user
// what to do.
func TestKeychainLockedMatches(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"sentinel", ErrKeychainLocked, "the keychain is locked: unlock it"},
		{"reason", keychainLockedError{detail: "the unlock prompt was dismissed"}, "the keychain is locked (the unlock prompt was dismissed): unlock it"},
		{"wrapped", fmt.Errorf("failed to read a secret from the system keychain: %w", keychainLockedError{detail: "x"}), "keychain: the keychain is locked (x): unlock it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !errors.Is(c.err, ErrKeychainLocked) || !errors.Is(c.err, ErrKeychainUnavailable) {
				t.Errorf("%v does not match both sentinels", c.err)
			}
			if errors.Is(c.err, ErrSecretMissing) {
				t.Errorf("%v matches ErrSecretMissing", c.err)
			}
			if msg := c.err.Error(); !strings.Contains(msg, c.want) || !strings.HasSuffix(msg, "(e.g. log in to the desktop session) and try again") {
				t.Errorf("message %q", msg)
			}
		})
	}
	// Other unavailable keychains are not locked ones.
	if down := fmt.Errorf("%w: org.freedesktop.secrets was not provided", ErrKeychainUnavailable); errors.Is(down, ErrKeychainLocked) {
		t.Errorf("%v matches ErrKeychainLocked", down)
	}
}
