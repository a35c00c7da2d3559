package vault

import (
	"encoding/base64"
	"errors"
	"fmt"
)

// JobSecrets keeps the secrets of unfinished transfers in the OS keychain,
// under the vault's service like every other secret, one entry "job:<id>"
// per secret: the data key of an upload locked for a colleague's public key
// (which the journal's wrapped copy cannot give back), and the shared link
// of a download (a bearer credential until it expires). The transfer engine
// deletes an entry when its job ends, when its journal record expires, and
// (through WithKeyRemoved) when the key an upload is locked for is removed.
// It satisfies transfer.JobSecrets.
//
// Entries are not part of backups and a copied home folder does not take
// them along: a transfer resumed there starts over instead.
type JobSecrets struct {
	v *Vault
}

// JobSecrets returns the vault's store for transfer secrets.
func (v *Vault) JobSecrets() JobSecrets { return JobSecrets{v: v} }

const jobPrefix = "job:"

// checkJobID keeps ids to the characters of the transfer journal's ids, so
// an entry's name is plain on every platform.
func checkJobID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("invalid transfer secret id %q", id)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("invalid transfer secret id %q", id)
		}
	}
	return nil
}

// store returns the vault's keychain service; ok is false for a vault that
// has no id yet, and so no entries. With create, it gives the vault its id.
func (s JobSecrets) store(create bool) (st secretStore, ok bool, err error) {
	r := s.v.snapshot()
	if r.VaultID == "" {
		if !create {
			return secretStore{}, false, nil
		}
		if err := s.v.update(func(*registry) error { return nil }); err != nil {
			return secretStore{}, false, err
		}
		r = s.v.snapshot()
	}
	return s.v.secrets(r), true, nil
}

// Put stores secret under id, replacing what id held.
func (s JobSecrets) Put(id string, secret []byte) error {
	if err := checkJobID(id); err != nil {
		return err
	}
	st, _, err := s.store(true)
	if err != nil {
		return err
	}
	// A secret split over several entries is replaced by removing the old
	// one first, so that no mix of the two can ever be read back.
	if err := st.delete(jobPrefix + id); err != nil {
		return err
	}
	return st.put(jobPrefix+id, base64.StdEncoding.EncodeToString(secret))
}

// Get returns the secret under id; ok is false when there is none.
func (s JobSecrets) Get(id string) (secret []byte, ok bool, err error) {
	if err := checkJobID(id); err != nil {
		return nil, false, err
	}
	st, ok, err := s.store(false)
	if err != nil || !ok {
		return nil, false, err
	}
	v, err := st.get(jobPrefix + id)
	if errors.Is(err, ErrSecretMissing) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, false, errors.New("a keychain entry of this vault is damaged")
	}
	return b, true, nil
}

// Delete removes the secret under id; an absent one is not an error.
func (s JobSecrets) Delete(id string) error {
	if err := checkJobID(id); err != nil {
		return err
	}
	st, ok, err := s.store(false)
	if err != nil || !ok {
		return err
	}
	return st.delete(jobPrefix + id)
}
