// Package testenv holds what tests need from the services
// with-services.sh starts: a private D-Bus session bus with an unlocked
// gnome-keyring (Secret Service) and an X display.
package testenv

import (
	"os"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

// RequireKeychain skips t when no session bus (and so no keychain) is
// there, and fails it instead under CI=true, where with-services.sh must
// have started one: a CI run must not pass by skipping.
func RequireKeychain(t testing.TB) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no session bus: run the tests under internal/testenv/with-services.sh")
		}
		t.Skip("no session bus for the keychain; run under internal/testenv/with-services.sh")
	}
}

// KeychainItems counts the Secret Service items stored under service (as
// go-keyring labels them, e.g. "ossvault:<vault id>"), locked or not: what
// is really in the keychain, not what a program believes it wrote.
func KeychainItems(t testing.TB, service string) int {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var unlocked, locked []dbus.ObjectPath
	err = conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.SearchItems", 0, map[string]string{"service": service}).
		Store(&unlocked, &locked)
	if err != nil {
		t.Fatalf("searching the keychain: %v", err)
	}
	return len(unlocked) + len(locked)
}
