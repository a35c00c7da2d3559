package vault

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"

	"github.com/ossvault/ossvault/envelope"
)

// backupWorkFactor is the scrypt work factor (log2 N) for new backups; age's
// own default. Tests lower it.
var backupWorkFactor = 18

const (
	backupFormat  = "ossvault-backup"
	backupVersion = 1
	// maxBackup bounds what Restore reads, so a wrong file cannot exhaust
	// memory; a vault with thousands of keys is far below it.
	maxBackup = 64 << 20
)

// backupFile is the plaintext inside the age file. It holds every secret.
type backupFile struct {
	Format   string          `json:"format"`
	Version  int             `json:"version"`
	Created  time.Time       `json:"created"`
	Default  string          `json:"default_key,omitempty"`
	Keys     []backupKey     `json:"keys"`
	Accounts []backupAccount `json:"accounts"`
	// Signing is the vault's own signing key, so that a restored
	// computer signs as the same person.
	Signing *backupSigning `json:"signing,omitempty"`
}

type backupSigning struct {
	Seed    []byte    `json:"seed"` // the 32-byte Ed25519 seed
	Created time.Time `json:"created"`
}

type backupKey struct {
	Name        string           `json:"name"`
	Kind        Kind             `json:"kind"`
	Fingerprint string           `json:"fingerprint"`
	MatDesc     envelope.MatDesc `json:"matdesc"`
	Created     time.Time        `json:"created"`
	PublicKey   []byte           `json:"public_key,omitempty"`
	KMS         *kmsRecord       `json:"kms,omitempty"`
	// PrivateKey is PKCS#8 DER, the form every tool reads.
	PrivateKey  []byte             `json:"private_key,omitempty"`
	Credentials *storedCredentials `json:"credentials,omitempty"`
	// A colleague's signing key and whether it was compared with them.
	SigningKey []byte `json:"signing_key,omitempty"`
	Verified   bool   `json:"verified,omitempty"`
}

type backupAccount struct {
	Name        string    `json:"name"`
	Endpoint    string    `json:"endpoint"`
	Region      string    `json:"region,omitempty"`
	AccessKeyID string    `json:"access_key_id"`
	Created     time.Time `json:"created"`
	Secret      string    `json:"secret"`
	Token       string    `json:"token,omitempty"`
}

// MinPassphrase is the fewest characters (not bytes) a new backup's
// passphrase may have. The backup holds every private key and AccessKey
// secret behind scrypt alone, so a short passphrase would make a stolen
// file a matter of guessing; 10 characters is what the app has always asked
// for.
const MinPassphrase = 10

// CheckPassphrase reports ErrWeakPassphrase for a passphrase too short for
// a new backup. Backup applies it itself, so that no caller can write a
// weak backup; callers that ask for the passphrase use it to refuse it
// before doing anything else. Restore does not: it opens a file with
// whatever passphrase the file was made with.
func CheckPassphrase(passphrase string) error {
	if utf8.RuneCountInString(passphrase) < MinPassphrase {
		return ErrWeakPassphrase
	}
	return nil
}

// Backup writes every key, every account and all their secrets to w as one
// file encrypted with age to the passphrase (scrypt). It fails, writing
// nothing, if any secret cannot be read: a backup that silently lacks a key
// would be found out only when it is needed. A passphrase that
// CheckPassphrase refuses is refused here with ErrWeakPassphrase.
func (v *Vault) Backup(w io.Writer, passphrase string) error {
	if err := CheckPassphrase(passphrase); err != nil {
		return err
	}
	r := v.snapshot()
	b := backupFile{Format: backupFormat, Version: backupVersion, Created: v.now().UTC().Truncate(time.Second), Default: r.Default}
	for i := range r.Keys {
		rec := &r.Keys[i]
		bk := backupKey{Name: rec.Name, Kind: rec.Kind, Fingerprint: rec.Fingerprint, MatDesc: rec.MatDesc, Created: rec.Created, PublicKey: rec.PublicKey, KMS: rec.KMS,
			SigningKey: rec.SigningKey, Verified: rec.Verified}
		switch {
		case rec.Kind == KindRSA:
			priv, err := v.privateKey(r, rec)
			if err != nil {
				return fmt.Errorf("failed to back up: %w", err)
			}
			if bk.PrivateKey, err = x509.MarshalPKCS8PrivateKey(priv); err != nil {
				return fmt.Errorf("failed to back up key %q: %w", rec.Name, err)
			}
		case rec.Kind == KindKMS && rec.Secret != "":
			c, err := v.kmsCredentials(r, rec)
			if err != nil {
				return fmt.Errorf("failed to back up: %w", err)
			}
			bk.Credentials = &storedCredentials{ID: c.AccessKeyID, Secret: c.AccessKeySecret, Token: c.SecurityToken}
		}
		b.Keys = append(b.Keys, bk)
	}
	for i := range r.Accounts {
		a := &r.Accounts[i]
		secret, token, err := v.accountSecret(r, a)
		if err != nil {
			return fmt.Errorf("failed to back up: %w", err)
		}
		b.Accounts = append(b.Accounts, backupAccount{Name: a.Name, Endpoint: a.Endpoint, Region: a.Region, AccessKeyID: a.AccessKeyID, Created: a.Created, Secret: secret, Token: token})
	}
	if r.Signing != nil {
		priv, err := v.signingPrivate(r)
		if err != nil {
			return fmt.Errorf("failed to back up: %w", err)
		}
		b.Signing = &backupSigning{Seed: priv.Seed(), Created: r.Signing.Created}
		clear(priv)
	}
	plain, err := json.Marshal(b)
	if b.Signing != nil {
		clear(b.Signing.Seed)
	}
	if err != nil {
		return errors.New("failed to encode the backup")
	}
	defer clear(plain)

	rcpt, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return fmt.Errorf("failed to encrypt the backup: %w", err)
	}
	rcpt.SetWorkFactor(backupWorkFactor)
	var out bytes.Buffer
	aw, err := age.Encrypt(&out, rcpt)
	if err != nil {
		return fmt.Errorf("failed to encrypt the backup: %w", err)
	}
	if _, err := aw.Write(plain); err != nil {
		return fmt.Errorf("failed to encrypt the backup: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("failed to encrypt the backup: %w", err)
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("failed to write the backup: %w", err)
	}
	return nil
}

// RestoreReport says what Restore did.
type RestoreReport struct {
	Keys            []string // keys added
	Accounts        []string // accounts added
	SkippedKeys     []SkippedProfile
	SkippedAccounts []SkippedProfile
	// Signing says what became of the backup's signing key: "restored",
	// "already here", a sentence saying why this computer's own was kept,
	// or "" when the backup has none.
	Signing string
}

// Restore adds the keys and accounts of a backup made by Backup; see
// RestoreWithReport.
func (v *Vault) Restore(r io.Reader, passphrase string) error {
	_, err := v.RestoreWithReport(r, passphrase)
	return err
}

// RestoreWithReport adds the keys and accounts of a backup made by Backup,
// writing their secrets as this vault's own keychain entries. It never
// overwrites: an entry whose name is taken is skipped when it is the same
// key (same kind and fingerprint) or account (same endpoint and AccessKey
// ID), and the whole restore is refused, changing nothing, when any is
// different (ErrKeyExists or ErrAccountExists naming them). A key already
// stored under another name is skipped too. The backup's default key
// becomes the default if this vault has none.
func (v *Vault) RestoreWithReport(r io.Reader, passphrase string) (*RestoreReport, error) {
	b, err := readBackup(r, passphrase)
	if err != nil {
		return nil, err
	}
	secrets := make([]string, len(b.Keys))
	for i := range b.Keys {
		if secrets[i], err = checkBackupKey(&b.Keys[i]); err != nil {
			return nil, err
		}
	}
	var signing ed25519.PrivateKey
	if b.Signing != nil {
		if len(b.Signing.Seed) != ed25519.SeedSize {
			return nil, errors.New("the backup is damaged: its signing key is malformed")
		}
		signing = ed25519.NewKeyFromSeed(b.Signing.Seed)
		defer clear(signing)
		clear(b.Signing.Seed)
	}
	rs := &restore{b: b, secrets: secrets, signing: signing}
	err = v.update(func(reg *registry) error {
		rs.reg, rs.store = reg, v.secrets(reg)
		return rs.run()
	})
	if err != nil {
		for _, ref := range rs.written {
			_ = rs.store.delete(ref)
		}
		return nil, err
	}
	return &rs.rep, nil
}

// restore is one attempt at adding a backup's entries to a registry.
type restore struct {
	b       *backupFile
	secrets []string           // the keys' secrets, checked, as b.Keys
	signing ed25519.PrivateKey // nil if the backup has none
	reg     *registry
	store   secretStore
	rep     RestoreReport
	written []string // keychain entries written, removed if the restore fails
	addKey  []bool
	addAcct []bool
}

func (rs *restore) run() error {
	if err := rs.plan(); err != nil {
		return err
	}
	if err := rs.accounts(); err != nil {
		return err
	}
	if err := rs.keys(); err != nil {
		return err
	}
	if rs.reg.Default == "" {
		if _, d := rs.reg.key(rs.b.Default); d != nil {
			rs.reg.Default = rs.b.Default
		}
	}
	return rs.signingKey()
}

// plan decides which entries to add and which are already here, and
// refuses the whole restore when a name is taken by a different entry.
func (rs *restore) plan() error {
	var conflicts []string
	rs.addKey = make([]bool, len(rs.b.Keys))
	for i, bk := range rs.b.Keys {
		_, old := rs.reg.key(bk.Name)
		switch {
		case old != nil && old.Kind == bk.Kind && old.Fingerprint == bk.Fingerprint && bytes.Equal(old.SigningKey, bk.SigningKey):
			rs.rep.SkippedKeys = append(rs.rep.SkippedKeys, SkippedProfile{bk.Name, "already here (the same key)"})
		case old != nil:
			conflicts = append(conflicts, fmt.Sprintf("key %q", bk.Name))
		default:
			rs.addKey[i] = true
			for _, o := range rs.reg.Keys {
				if o.Kind == bk.Kind && o.Fingerprint == bk.Fingerprint {
					rs.rep.SkippedKeys = append(rs.rep.SkippedKeys, SkippedProfile{bk.Name, fmt.Sprintf("already here as %q", o.Name)})
					rs.addKey[i] = false
					break
				}
			}
		}
	}
	rs.addAcct = make([]bool, len(rs.b.Accounts))
	for i, ba := range rs.b.Accounts {
		_, old := rs.reg.account(ba.Name)
		switch {
		case old != nil && old.Endpoint == ba.Endpoint && old.AccessKeyID == ba.AccessKeyID:
			rs.rep.SkippedAccounts = append(rs.rep.SkippedAccounts, SkippedProfile{ba.Name, "already here (the same account)"})
		case old != nil:
			conflicts = append(conflicts, fmt.Sprintf("account %q", ba.Name))
		default:
			rs.addAcct[i] = true
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("%w: nothing was restored, because this computer already has a different %s; remove or rename it first",
			conflictErr(conflicts), strings.Join(conflicts, ", "))
	}
	return nil
}

// put writes a keychain entry under a new reference and remembers it.
func (rs *restore) put(secret string) (string, error) {
	ref := newID()
	if err := rs.store.put(ref, secret); err != nil {
		return "", err
	}
	rs.written = append(rs.written, ref)
	return ref, nil
}

func (rs *restore) accounts() error {
	for i, ba := range rs.b.Accounts {
		if !rs.addAcct[i] {
			continue
		}
		enc, err := encodeAccountSecret(ba.Secret, ba.Token)
		if err != nil {
			return err
		}
		ref, err := rs.put(enc)
		if err != nil {
			return fmt.Errorf("failed to restore account %q: %w", ba.Name, err)
		}
		rs.reg.Accounts = append(rs.reg.Accounts, accountRecord{Name: ba.Name, Endpoint: ba.Endpoint, Region: ba.Region, AccessKeyID: ba.AccessKeyID, STS: ba.Token != "", Created: ba.Created, Secret: ref})
		rs.rep.Accounts = append(rs.rep.Accounts, ba.Name)
	}
	return nil
}

func (rs *restore) keys() error {
	for i, bk := range rs.b.Keys {
		if !rs.addKey[i] {
			continue
		}
		rec := keyRecord{Name: bk.Name, Kind: bk.Kind, Fingerprint: bk.Fingerprint, MatDesc: bk.MatDesc, Created: bk.Created, PublicKey: bk.PublicKey,
			SigningKey: bk.SigningKey, Verified: bk.Verified}
		if bk.KMS != nil {
			k := *bk.KMS
			if _, a := rs.reg.account(k.Account); a == nil {
				k.Account = ""
			}
			rec.KMS = &k
		}
		if pub, err := x509.ParsePKIXPublicKey(bk.PublicKey); err == nil {
			if rp, ok := pub.(*rsa.PublicKey); ok {
				rec.Bits = rp.N.BitLen()
			}
		}
		if rs.secrets[i] != "" {
			ref, err := rs.put(rs.secrets[i])
			if err != nil {
				return fmt.Errorf("failed to restore key %q: %w", bk.Name, err)
			}
			rec.Secret = ref
		}
		rs.reg.Keys = append(rs.reg.Keys, rec)
		rs.rep.Keys = append(rs.rep.Keys, bk.Name)
	}
	return nil
}

func (rs *restore) signingKey() error {
	if rs.signing == nil {
		return nil
	}
	pub := rs.signing.Public().(ed25519.PublicKey)
	switch {
	case rs.reg.Signing == nil:
		ref, err := rs.put(encodeSigningSeed(rs.signing.Seed()))
		if err != nil {
			return fmt.Errorf("failed to restore the signing key: %w", err)
		}
		rs.reg.Signing = &signingRecord{PublicKey: pub, Secret: ref, Created: rs.b.Signing.Created}
		rs.rep.Signing = "restored"
	case bytes.Equal(rs.reg.Signing.PublicKey, pub):
		rs.rep.Signing = "already here"
	default:
		// Objects already signed here name this computer's key;
		// replacing it would make them unknown to it.
		rs.rep.Signing = "this computer already has its own signing key, which it keeps using; colleagues know the objects it signs only once they add this computer's export"
	}
	return nil
}

func conflictErr(conflicts []string) error {
	for _, c := range conflicts {
		if strings.HasPrefix(c, "key ") {
			return ErrKeyExists
		}
	}
	return ErrAccountExists
}

func readBackup(r io.Reader, passphrase string) (*backupFile, error) {
	if passphrase == "" {
		return nil, errors.New("a backup needs its passphrase")
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("failed to open the backup: %w", err)
	}
	ar, err := age.Decrypt(r, id)
	var nomatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &nomatch):
		return nil, ErrWrongPassphrase
	case err != nil:
		return nil, fmt.Errorf("failed to open the backup: this is not an ossvault backup or it is damaged (%v)", err)
	}
	plain, err := io.ReadAll(io.LimitReader(ar, maxBackup+1))
	defer clear(plain)
	if err != nil {
		return nil, fmt.Errorf("failed to read the backup: it is damaged (%v)", err)
	}
	if len(plain) > maxBackup {
		return nil, errors.New("failed to read the backup: it is too large to be an ossvault backup")
	}
	var b backupFile
	if err := json.Unmarshal(plain, &b); err != nil || b.Format != backupFormat {
		// Not quoting the decoder's message: it may contain secret bytes.
		return nil, errors.New("failed to read the backup: it is not an ossvault key backup")
	}
	if b.Version > backupVersion {
		return nil, fmt.Errorf("the backup was made by a newer ossvault (format %d); update ossvault to restore it", b.Version)
	}
	return &b, nil
}

// checkBackupKey validates one key of a backup and returns the keychain
// form of its secret ("" if none).
func checkBackupKey(bk *backupKey) (string, error) {
	if err := checkName("key", bk.Name); err != nil {
		return "", fmt.Errorf("the backup is damaged: %w", err)
	}
	switch bk.Kind {
	case KindRSA, KindRSAPublic:
		if bk.SigningKey != nil && (bk.Kind != KindRSAPublic || len(bk.SigningKey) != ed25519.PublicKeySize) {
			return "", fmt.Errorf("the backup is damaged: key %q has a bad signing key", bk.Name)
		}
		pub, err := x509.ParsePKIXPublicKey(bk.PublicKey)
		if err != nil || fingerprintOf(bk.PublicKey) != bk.Fingerprint {
			return "", fmt.Errorf("the backup is damaged: key %q has a bad public key", bk.Name)
		}
		if bk.Kind == KindRSAPublic {
			return "", nil
		}
		k, err := x509.ParsePKCS8PrivateKey(bk.PrivateKey)
		if err != nil {
			return "", fmt.Errorf("the backup is damaged: key %q has a bad private key", bk.Name)
		}
		priv, ok := k.(*rsa.PrivateKey)
		if !ok || !priv.PublicKey.Equal(pub) {
			return "", fmt.Errorf("the backup is damaged: the private and public halves of key %q do not match", bk.Name)
		}
		return encodePrivateKey(priv)
	case KindKMS:
		if bk.KMS == nil || bk.KMS.KeyID == "" || KMSFingerprint(bk.KMS.Region, bk.KMS.KeyID) != bk.Fingerprint {
			return "", fmt.Errorf("the backup is damaged: KMS key %q is incomplete", bk.Name)
		}
		if bk.Credentials == nil {
			return "", nil
		}
		return encodeCredentialsParts(bk.Credentials.ID, bk.Credentials.Secret, bk.Credentials.Token)
	default:
		return "", fmt.Errorf("the backup has key %q of an unknown kind %q; update ossvault", bk.Name, bk.Kind)
	}
}
