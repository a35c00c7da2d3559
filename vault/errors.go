package vault

import "errors"

// Sentinel errors for outcomes callers act on. Match them with errors.Is.
var (
	// ErrKeyNotFound: no key by that name in this vault.
	ErrKeyNotFound = errors.New("no such key")
	// ErrKeyExists: a key by that name, or the same key under another name,
	// is already in this vault.
	ErrKeyExists = errors.New("key already exists")
	// ErrAccountNotFound: no account by that name in this vault.
	ErrAccountNotFound = errors.New("no such account")
	// ErrAccountExists: an account by that name is already in this vault.
	ErrAccountExists = errors.New("account already exists")
	// ErrKeychainUnavailable: the OS keychain is locked, missing or not
	// answering. Secrets are never written anywhere else instead.
	ErrKeychainUnavailable = errors.New("the system keychain is locked or not available")
	// ErrSecretMissing: the registry names a secret that this computer's
	// keychain does not hold (the home folder was copied from another
	// computer, or the entry was deleted outside ossvault).
	ErrSecretMissing = errors.New("secret not found in the system keychain")
	// ErrWrongPassphrase: the backup passphrase does not open the backup.
	ErrWrongPassphrase = errors.New("wrong passphrase for this backup")
	// ErrWeakPassphrase: a passphrase for a new backup is shorter than
	// MinPassphrase characters (see CheckPassphrase).
	ErrWeakPassphrase = errors.New("the backup passphrase is too short: use at least 10 characters")
	// ErrPublicOnly: the key is a colleague's public key; it encrypts but
	// cannot open files.
	ErrPublicOnly = errors.New("this is a public key only: it can lock files for its owner but cannot open them")
	// ErrNoDefaultKey: no key is marked as the default.
	ErrNoDefaultKey = errors.New("no default key (generate or import one, or choose one with \"key default\")")
)
