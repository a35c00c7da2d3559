package cli

import (
	"fmt"

	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// openJournal opens the transfer journal of env's home. A damaged record
// it sets aside is told on stderr as a warning, one line each: the
// transfer goes on from the start, and the user learns why it did not
// resume.
func openJournal(env *Env) (*transfer.Journal, error) {
	j, err := transfer.OpenJournal(env.Home)
	if err != nil {
		return nil, err
	}
	j.Warn = func(err error) { fmt.Fprintf(env.Err, "ossvault: warning: %s\n", err) }
	return j, nil
}

// uploader is the engine put and resume upload with, on journal: first
// the uploads abandoned for longer than the journal keeps them go, with
// their data keys (one that cannot go now, a locked keychain, stays for a
// later run and is no reason not to upload); then every object is signed
// as this computer's user's (the signing key is made on first use).
func uploader(v *vault.Vault, journal *transfer.Journal, store transfer.Store, partSize int64, parts int) (*transfer.Uploader, error) {
	_ = journal.Expire(v.JobSecrets())
	signer, err := v.SigningKey()
	if err != nil {
		return nil, err
	}
	return &transfer.Uploader{Store: store, Journal: journal, Keys: v, Secrets: v.JobSecrets(), PartSize: partSize, Parts: parts,
		Policy: retryPolicy, Signer: signer}, nil
}
