package transfer

import (
	"crypto/ed25519"
	"fmt"

	"github.com/ossvault/ossvault/envelope"
)

// bindWriter records the uploader's signing key, the job's bucket and key
// and the time in a new envelope, before its MAC is computed: they are
// written when the upload starts.
func (u *Uploader) bindWriter(env *envelope.Envelope, job UploadJob) error {
	key, err := u.signingKey()
	if key == nil || err != nil {
		return err
	}
	pub, ok := key.Public().(ed25519.PublicKey)
	if !ok {
		return Permanent(fmt.Errorf("the signing key is malformed"))
	}
	if err := env.SetWriter(pub, job.Bucket, job.Key, u.now()); err != nil {
		return Permanent(fmt.Errorf("failed to sign the object: %w", err))
	}
	return nil
}

// sign signs the envelope once its MAC is known (a no-op without Signer).
func (u *Uploader) sign(env *envelope.Envelope) error {
	key, err := u.signingKey()
	if key == nil || err != nil {
		return err
	}
	if err := env.Sign(key); err != nil {
		return Permanent(err)
	}
	return nil
}

// signingKey is Signer, or what SignerFrom returns; nil for an uploader
// that does not sign.
func (u *Uploader) signingKey() (ed25519.PrivateKey, error) {
	if u.Signer != nil || u.SignerFrom == nil {
		return u.Signer, nil
	}
	key, err := u.SignerFrom()
	if err != nil {
		return nil, fmt.Errorf("failed to read this computer's signing key: %w", err)
	}
	return key, nil
}
