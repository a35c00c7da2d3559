package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// Several recipients: one upload locked for KeyFor and for each of
// AlsoFor, in that order.

// errSameKeyTwice: a key named twice among an upload's recipients.
var errSameKeyTwice = errors.New("the same key is chosen twice")

// wrappers returns the wrappers of first and the others, in order.
func (b *Service) wrappers(ctx context.Context, first string, others []string) ([]envelope.Wrapper, error) {
	seen := map[string]bool{}
	ws := make([]envelope.Wrapper, 0, 1+len(others))
	for _, name := range append([]string{first}, others...) {
		if seen[name] {
			return nil, fmt.Errorf("%s: %w", name, errSameKeyTwice)
		}
		seen[name] = true
		w, err := b.vault.Wrapper(ctx, name)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// fitsRecipients fails, wrapping envelope.ErrTooManyRecipients, when the
// wraps of ws do not fit the metadata of an object named key in bucket,
// as the uploader would find once queued: the same envelope, signed, of a
// 1 TiB multipart upload, so that the answer does not depend on the size.
func fitsRecipients(ctx context.Context, ws []envelope.Wrapper, bucket, key string) error {
	e, k, err := envelope.SealFor(ctx, ws, nil)
	if err != nil {
		return err
	}
	pub := make(ed25519.PublicKey, ed25519.PublicKeySize)
	if err := e.SetWriter(pub, bucket, key, time.Now()); err != nil {
		return err
	}
	const size = 1 << 40
	part := envelope.PartSize(size, transfer.DefaultPartSize)
	e.DataSize, e.PartSize, e.UnencryptedLength = size, part, size
	sum, err := envelope.NewSummer(e, k, size, envelope.ChunkSizeForParts(size, part))
	if err != nil {
		return err
	}
	defer sum.Close()
	return e.CheckMetaSize()
}

// longestKey is the longest object key of files: the one with the least
// room left for wraps.
func longestKey(files []transfer.PlannedUpload) string {
	var k string
	for _, f := range files {
		if len(f.Key) > len(k) {
			k = f.Key
		}
	}
	return k
}
