//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package vault

import (
	"context"
	"fmt"
	"os"
	"slices"

	dbus "github.com/godbus/dbus/v5"
)

// The Secret Service names go-keyring uses. It keeps secrets in the "login"
// collection when there is one, otherwise in the default collection.
const (
	ssName              = "org.freedesktop.secrets"
	ssPath              = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService           = "org.freedesktop.Secret.Service"
	ssCollection        = "org.freedesktop.Secret.Collection"
	ssPrompt            = "org.freedesktop.Secret.Prompt"
	ssLoginCollection   = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	ssDefaultCollection = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
	ssNoPrompt          = dbus.ObjectPath("/")
)

// hasDisplay reports whether this process runs in a graphical session, where
// the user can see an unlock prompt. Without one (a terminal over SSH, a
// service) a prompt would appear, if anywhere, on a screen nobody is looking
// at, and the call would wait for it until the timeout.
func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// ensureUnlocked makes sure the collection go-keyring is about to use is
// unlocked. A locked collection is unlocked through the Secret Service's own
// prompt when the user can see it, and is an ErrKeychainLocked error at once
// when they cannot; a dismissed prompt is reported as such. waiting is
// called just before waiting for the user's answer, so that a timeout can
// say what it was waiting for.
//
// Anything unexpected (no session bus, no Secret Service, no such collection)
// returns nil: go-keyring then meets the same problem and reports it in its
// own words, which the caller maps to ErrKeychainUnavailable.
func ensureUnlocked(ctx context.Context, waiting func()) error {
	// A connection of its own, so that the prompt's signals never reach the
	// channels go-keyring leaves on the shared session connection.
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return nil
	}
	defer conn.Close()
	path, locked, err := collectionLocked(ctx, conn)
	if err != nil || !locked {
		return nil
	}
	if !hasDisplay() {
		return keychainLockedError{detail: "there is no desktop session to ask for its password"}
	}
	return unlock(ctx, conn, path, waiting)
}

// isLocked reports whether the collection go-keyring uses is locked now. It
// is asked after go-keyring failed, to tell a lock (a prompt go-keyring
// showed itself and the user dismissed) from other failures.
func isLocked(ctx context.Context) bool {
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return false
	}
	defer conn.Close()
	_, locked, err := collectionLocked(ctx, conn)
	return err == nil && locked
}

// collectionLocked finds the collection go-keyring uses and reads its Locked
// property, which needs no prompt.
func collectionLocked(ctx context.Context, conn *dbus.Conn) (dbus.ObjectPath, bool, error) {
	var collections []dbus.ObjectPath
	if err := getProperty(ctx, conn, ssPath, ssService, "Collections", &collections); err != nil {
		return "", false, err
	}
	path := ssDefaultCollection
	if slices.Contains(collections, ssLoginCollection) {
		path = ssLoginCollection
	}
	var locked bool
	if err := getProperty(ctx, conn, path, ssCollection, "Locked", &locked); err != nil {
		return "", false, err
	}
	return path, locked, nil
}

func getProperty(ctx context.Context, conn *dbus.Conn, path dbus.ObjectPath, iface, name string, v any) error {
	var value dbus.Variant
	err := conn.Object(ssName, path).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, iface, name).Store(&value)
	if err != nil {
		return fmt.Errorf("failed to read %s.%s of %s: %w", iface, name, path, err)
	}
	if err := value.Store(v); err != nil {
		return fmt.Errorf("unexpected %s.%s of %s: %w", iface, name, path, err)
	}
	return nil
}

// unlock asks the Secret Service to unlock the collection, which shows the
// user a password prompt, and waits for the prompt's answer. If ctx ends
// first the prompt is dismissed, so that no stale prompt stays on screen
// after ossvault has given up.
func unlock(ctx context.Context, conn *dbus.Conn, path dbus.ObjectPath, waiting func()) error {
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := conn.Object(ssName, ssPath).CallWithContext(ctx, ssService+".Unlock", 0, []dbus.ObjectPath{path}).Store(&unlocked, &prompt)
	if err != nil {
		return fmt.Errorf("%w: failed to ask it to unlock: %v", ErrKeychainUnavailable, err)
	}
	if prompt == ssNoPrompt || prompt == "" {
		if len(unlocked) == 0 {
			return keychainLockedError{detail: "it refused to unlock"}
		}
		return nil
	}

	match := []dbus.MatchOption{dbus.WithMatchObjectPath(prompt), dbus.WithMatchInterface(ssPrompt), dbus.WithMatchMember("Completed")}
	if err := conn.AddMatchSignalContext(ctx, match...); err != nil {
		return fmt.Errorf("%w: failed to watch its unlock prompt: %v", ErrKeychainUnavailable, err)
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)

	// The argument is the window to parent the prompt to; empty means a
	// window of its own.
	if err := conn.Object(ssName, prompt).CallWithContext(ctx, ssPrompt+".Prompt", 0, "").Err; err != nil {
		return fmt.Errorf("%w: failed to show its unlock prompt: %v", ErrKeychainUnavailable, err)
	}
	waiting()
	for {
		select {
		case s := <-signals:
			if s.Path != prompt || s.Name != ssPrompt+".Completed" || len(s.Body) < 1 {
				continue
			}
			if dismissed, _ := s.Body[0].(bool); dismissed {
				return keychainLockedError{detail: "the unlock prompt was dismissed"}
			}
			return nil
		case <-ctx.Done():
			// ctx is over, so the dismissal needs a context of its own; its
			// outcome changes nothing for the caller.
			dctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
			conn.Object(ssName, prompt).CallWithContext(dctx, ssPrompt+".Dismiss", 0)
			cancel()
			return ctx.Err()
		}
	}
}
