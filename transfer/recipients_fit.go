package transfer

import (
	"context"
	"crypto/ed25519"

	"github.com/ossvault/ossvault/envelope"
)

// CheckRecipients fails, as an upload of key to bucket locked for ws
// would before it sends anything, with an error wrapping
// envelope.ErrTooManyRecipients when the wraps do not fit the object's
// metadata. It seals, and throws away, the envelope a signed multipart
// upload of 1 TiB would carry, the largest there is, so the answer holds
// for a file of any size under that name; callers ask once, with their
// longest key, before queueing many files.
func CheckRecipients(ctx context.Context, ws []envelope.Wrapper, bucket, key string) error {
	u := &Uploader{Signer: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))}
	const size = 1 << 40
	_, dk, sum, err := u.seal(ctx, UploadJob{Bucket: bucket, Key: key, Wrappers: ws}, size, envelope.PartSize(size, DefaultPartSize))
	if err != nil {
		return err
	}
	sum.Close()
	*dk = envelope.DataKey{}
	return nil
}
