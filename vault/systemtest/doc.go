// Package systemtest runs the vault against the real OS keychain (through
// go-keyring) and the real KMS client, where the unit tests in vault use
// go-keyring's in-memory mock. Run it under internal/testenv/with-services.sh;
// without a session bus it skips, except in CI (CI=true), where it fails.
package systemtest
