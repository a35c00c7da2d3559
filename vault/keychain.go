package vault

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/zalando/go-keyring"
)

// Keychain is the boundary to the OS secret store. Get returns an error
// wrapping ErrSecretMissing for an absent entry, Delete of an absent entry
// also reports ErrSecretMissing; an error wrapping ErrKeychainUnavailable
// means the store could not be reached or is locked, and one that also
// matches ErrKeychainLocked means it is locked and the user can unlock it.
type Keychain interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// ErrKeychainLocked: the keychain is there but locked, and was not unlocked
// (nobody could be asked for its password, the unlock prompt was dismissed or
// not answered in time). It also matches ErrKeychainUnavailable, so callers
// that only know that sentinel still see a keychain they cannot use.
var ErrKeychainLocked error = keychainLockedError{}

// keychainLockedError is ErrKeychainLocked with the reason it stayed locked.
type keychainLockedError struct {
	detail string
}

func (e keychainLockedError) Error() string {
	msg := "the keychain is locked"
	if e.detail != "" {
		msg += " (" + e.detail + ")"
	}
	return msg + ": unlock it (e.g. log in to the desktop session) and try again"
}

func (e keychainLockedError) Is(target error) bool {
	return target == ErrKeychainLocked || target == ErrKeychainUnavailable
}

// ErrSecretTooLarge is returned by a Keychain whose platform refuses a secret
// of that size. The vault splits secrets so that it never sees it.
var ErrSecretTooLarge = errors.New("secret too large for one keychain entry")

// SystemKeychain is the OS keychain through github.com/zalando/go-keyring
// (Secret Service on Linux and BSD, Keychain on macOS, Credential Manager on
// Windows).
//
// A locked Secret Service collection (Linux, BSD) is unlocked through the
// service's own password prompt when this process runs in a desktop session
// (DISPLAY or WAYLAND_DISPLAY is set), as the user expects. Without one the
// call fails at once with ErrKeychainLocked instead of showing a prompt on a
// screen nobody looks at; a dismissed prompt also gives ErrKeychainLocked.
type SystemKeychain struct {
	// Timeout bounds one call, including the wait for the user to answer an
	// unlock prompt; it is the last resort against a keychain that never
	// answers. Zero means two minutes.
	Timeout time.Duration
}

var _ Keychain = SystemKeychain{}

// Get implements Keychain.
func (k SystemKeychain) Get(service, user string) (string, error) {
	var s string
	err := k.call(func() (err error) { s, err = keyring.Get(service, user); return err })
	return s, err
}

// Set implements Keychain.
func (k SystemKeychain) Set(service, user, secret string) error {
	return k.call(func() error { return keyring.Set(service, user, secret) })
}

// Delete implements Keychain.
func (k SystemKeychain) Delete(service, user string) error {
	return k.call(func() error { return keyring.Delete(service, user) })
}

func (k SystemKeychain) call(f func() error) error {
	timeout := k.Timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var prompting atomic.Bool
	done := make(chan error, 1)
	go func() {
		if err := ensureUnlocked(ctx, func() { prompting.Store(true) }); err != nil {
			done <- err
			return
		}
		err := mapKeyringError(f())
		if errors.Is(err, ErrKeychainUnavailable) && isLocked(ctx) {
			err = ErrKeychainLocked
		}
		done <- err
	}()
	select {
	case err := <-done:
		// A failure after the deadline is the timeout's doing (the prompt
		// wait ended with it); a late success is still a success.
		if err == nil || ctx.Err() == nil {
			return err
		}
	case <-ctx.Done():
	}
	if prompting.Load() || stillLocked() {
		return keychainLockedError{detail: fmt.Sprintf("nobody answered the unlock prompt within %v", timeout)}
	}
	return fmt.Errorf("%w: no answer within %v (is it waiting to be unlocked?)", ErrKeychainUnavailable, timeout)
}

// cleanupTimeout bounds the calls made after a keychain call gave up: asking
// whether the keychain is locked, and taking an unanswered prompt off the
// screen.
const cleanupTimeout = 5 * time.Second

// stillLocked reports whether the keychain is locked, after a call that timed
// out without ensureUnlocked waiting for a prompt: the collection was locked
// after the check, and the prompt go-keyring showed went unanswered.
func stillLocked() bool {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	return isLocked(ctx)
}

// mapKeyringError turns go-keyring's errors into the Keychain contract. Its
// messages carry D-Bus or OS error text, never the secret.
func mapKeyringError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrSecretMissing
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ErrSecretTooLarge
	default:
		return fmt.Errorf("%w: %v", ErrKeychainUnavailable, err)
	}
}

// Platform limits on one keychain entry, as enforced by go-keyring.
const (
	// WindowsMaxSecret is Credential Manager's limit on a credential blob.
	WindowsMaxSecret = 2560
	// macOSMaxCommand is the length limit go-keyring puts on the
	// "add-generic-password" line it sends to /usr/bin/security, in which
	// the secret appears base64-encoded after a prefix.
	macOSMaxCommand = 4096
)

// LimitedKeychain enforces the secret size limits of Windows and macOS on
// top of another Keychain, so tests on Linux prove that what the vault
// stores would fit everywhere.
type LimitedKeychain struct {
	Keychain
}

// Set implements Keychain, refusing what Windows or macOS would refuse.
func (k LimitedKeychain) Set(service, user, secret string) error {
	if len(secret) > WindowsMaxSecret {
		return fmt.Errorf("%w: %d bytes is over the Windows limit of %d", ErrSecretTooLarge, len(secret), WindowsMaxSecret)
	}
	if n := macOSCommandLen(service, user, secret); n > macOSMaxCommand {
		return fmt.Errorf("%w: %d bytes of keychain command is over the macOS limit of %d", ErrSecretTooLarge, n, macOSMaxCommand)
	}
	return k.Keychain.Set(service, user, secret)
}

// macOSCommandLen is the length of go-keyring's macOS command line for this
// entry: the secret is base64-encoded behind "go-keyring-base64:" and each
// argument is shell-quoted (at most 2 added quote characters for the plain
// values the vault uses).
func macOSCommandLen(service, user, secret string) int {
	const prefix = len("go-keyring-base64:")
	b64 := (len(secret) + 2) / 3 * 4
	return len("add-generic-password -U -s  -a  -w \n") + len(service) + 2 + len(user) + 2 + prefix + b64 + 2
}
