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
	if u.Signer == nil {
		return nil
	}
	pub, ok := u.Signer.Public().(ed25519.PublicKey)
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
	if u.Signer == nil {
		return nil
	}
	if err := env.Sign(u.Signer); err != nil {
		return Permanent(err)
	}
	return nil
}
