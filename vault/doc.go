// Package vault is the registry of encryption keys and OSS accounts.
//
// Storage contract:
//
//   - Non-secret facts (key names, kinds, fingerprints, public halves,
//     matdescs, the default key, KMS key ids, regions and endpoints, account
//     endpoints, regions and AccessKey IDs) live in OSSVAULT_HOME/vault.json.
//     It is written atomically (temporary file, fsync, rename) with mode 0600
//     in a 0700 folder, and every change happens under an exclusive lock on
//     OSSVAULT_HOME/vault.lock, so two processes (the app and a script) can
//     change the vault at the same time without losing each other's changes.
//   - Every secret (RSA private keys, AccessKey secrets, STS tokens, KMS
//     credentials) lives only in the OS keychain, under the service name
//     "ossvault:<vault id>". The vault id is random and stored in vault.json,
//     so two homes never share entries. When a home folder is copied to a new
//     path on the same computer, Open notices (vault.json records the path it
//     belongs to, and the original is still there with the same id) and gives
//     the copy its own id and its own copies of the secrets, so removing a key
//     from one copy cannot remove it from the other. A restore always writes
//     its own entries.
//   - Unfinished transfers keep their few secrets there too (JobSecrets):
//     the data key of an upload locked for a colleague's public key, and the
//     shared link of a download, each in an entry "job:<id>" that the
//     transfer engine deletes when the job ends, or when its journal record
//     has been abandoned for a week. Removing a key removes those kept for
//     uploads locked for it, through the hook its opener gives
//     (WithKeyRemoved). They are not backed up and a copied home does not
//     take them along.
//   - Keychains limit the size of one secret (Windows 2560 bytes, macOS about
//     3000). Private keys are stored as their primes only, which fits one entry
//     for RSA up to 8192 bits, and any secret larger than one entry (a long
//     STS token) is split across several.
//   - If the keychain is locked or missing, operations that need a secret fail
//     with ErrKeychainUnavailable. A locked one is ErrKeychainLocked (which
//     also matches ErrKeychainUnavailable): in a desktop session the
//     keychain's own unlock prompt is shown first; with no display the error
//     comes at once. Nothing ever falls back to a plain file.
//   - An RSA private key read from the keychain to open an object is kept
//     in the process's memory for two minutes after its last use, so that a
//     folder of files does not read and parse it once a file (that cost
//     more than the RSA decryption itself); removing the key, or
//     ForgetPrivateKeys, lets go of it at once. It is never written
//     anywhere.
//
// Signing: each vault has one Ed25519 signing key of its own, made on first
// use (the first upload or export), that signs every object uploaded from
// it (see envelope, "Authorship"). Its public half is in vault.json, its
// seed in the keychain like every other secret; a copied home takes a copy,
// and backups carry it, so a restored computer signs as the same person (a
// computer that already has a signing key of its own keeps it, and the
// restore says so). "key export-public" writes a key pair's RSA public key
// PEM followed by a second block, "OSSVAULT SIGNING KEY" (PKIX DER of the
// Ed25519 key); readers of the first block alone still work. AddPublicKey
// stores the second block, when present, with the colleague's entry, and
// Signer names the writer of an object by its signing key: this vault's own
// gives the default key's name, a colleague's the name of their entry.
// Adding a colleague's file under a name that holds other keys (another RSA
// key, another signing key, one where there was none or none where there
// was one) is refused with ErrKeyChanged naming both sets of fingerprints:
// a key that changes without warning is what an impostor's looks like; the
// way to replace it, once compared with them, is "key rm" and adding the
// file again. MarkVerified ("key verify") records that a colleague's keys
// were compared with them. Signing fingerprints have the format of RSA
// ones: the first 10 bytes of SHA-256 over the 32-byte public key, as five
// groups of four hex digits.
//
// Key selection when opening an object follows the command-line contract: the
// keys whose matdesc equals the object's (compared as parsed JSON maps); for an
// object with no matdesc, every private key of the object's wrapping kind.
//
// Backups (Backup, Restore) are one file encrypted with filippo.io/age to a
// passphrase (scrypt). They hold every key, every account and their secrets
// (private keys, AccessKey secrets, STS tokens, KMS credentials), so that a
// restore on a new computer is complete. Restoring never overwrites: a key or
// account whose name already exists is skipped if it is the same (same
// fingerprint, or same endpoint and AccessKey ID), and the whole restore is
// refused, with nothing changed, if it is different.
package vault
