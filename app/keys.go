package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"
)

type realKeys Service

func toKey(k vault.Key) Key {
	out := Key{Name: k.Name, Fingerprint: k.Fingerprint, MatDesc: k.MatDesc.String(), Default: k.Default,
		SigningCode: k.SigningFingerprint, Compared: k.Verified}
	switch k.Kind {
	case vault.KindRSAPublic:
		out.Kind = KeyColleague
	case vault.KindKMS:
		out.Kind = KeyKMS
	default:
		out.Kind = KeyMine
	}
	return out
}

func (k *realKeys) List(context.Context) ([]Key, error) {
	// My keys show this computer's signing code: it signs what I upload,
	// whichever of my keys locks it.
	mine := ""
	if pub, ok := k.vault.SigningPublic(); ok {
		mine = vault.SigningFingerprint(pub)
	}
	var out []Key
	for _, x := range k.vault.Keys() {
		key := toKey(x)
		if key.Kind == KeyMine {
			key.SigningCode = mine
		}
		out = append(out, key)
	}
	return out, nil
}

func (k *realKeys) MarkCompared(_ context.Context, name string) error {
	_, err := k.vault.MarkVerified(name)
	return err
}

func (k *realKeys) Generate(ctx context.Context, name string, bits int) (Key, error) {
	x, err := k.vault.GenerateRSA(ctx, name, bits, nil)
	return toKey(x), err
}

func (k *realKeys) ImportPrivate(_ context.Context, name string, pem []byte) (Key, error) {
	x, err := k.vault.ImportPrivateKey(name, pem, nil)
	return toKey(x), keyFileError(err)
}

func (k *realKeys) AddPublic(_ context.Context, name string, pem []byte) (Key, error) {
	x, err := k.vault.AddPublicKey(name, pem, nil)
	return toKey(x), keyFileError(err)
}

// keyFileError marks a failure to read a key file as such, keeping the
// vault's own outcomes (a taken name, a locked keychain) as they are.
func keyFileError(err error) error {
	if err == nil || errors.Is(err, vault.ErrKeyExists) || errors.Is(err, vault.ErrKeychainUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrNotAKey, err)
}

// AddKMS adds a KMS key reached with the chosen cloud account's AccessKey
// (the first account's when none is chosen, the environment's when there is
// no account). The vault locks a throw-away data key with it before saving
// it, as every upload will: wrong credentials, a mistyped key ID or region,
// or an address that does not answer are found now, and nothing is saved.
func (k *realKeys) AddKMS(ctx context.Context, m KMSKey) (Key, error) {
	account := m.Account
	if account == "" {
		for _, a := range k.vault.Accounts() {
			if !isLocalAccount(a) {
				account = a.Name
				break
			}
		}
	} else if a, err := k.vault.Account(account); err == nil && isLocalAccount(a) {
		return Key{}, fmt.Errorf("the storage on this computer has no Alibaba Cloud AccessKey: %w", kms.ErrNoCredentials)
	}
	opts := []vault.KMSKeyOption{vault.CheckKMS(ctx)}
	if account != "" {
		opts = append(opts, vault.UseAccount(account))
	}
	x, err := k.vault.AddKMSKey(m.Name, m.KeyID, m.Region, m.Endpoint, nil, nil, opts...)
	if err != nil {
		return Key{}, err
	}
	return toKey(x), nil
}

func (k *realKeys) ExportPublic(_ context.Context, name string) ([]byte, error) {
	return k.vault.ExportPublic(name)
}

func (k *realKeys) SetDefault(_ context.Context, name string) error { return k.vault.SetDefault(name) }

func (k *realKeys) Remove(_ context.Context, name string) error { return k.vault.Remove(name) }

func (k *realKeys) Backup(_ context.Context, w io.Writer, pass string) error {
	return k.vault.Backup(w, pass)
}

func (k *realKeys) Restore(_ context.Context, r io.Reader, pass string) error {
	return k.vault.Restore(r, pass)
}
