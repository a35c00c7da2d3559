package transfer

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/ossvault/ossvault/envelope"
)

// JobSecrets keeps the few secrets an unfinished job cannot be resumed
// without, outside the journal: the vault implements it with the OS
// keychain. Put replaces what id held; Get reports false, with no error,
// when id holds nothing; Delete of an absent id is not an error. An error
// means the store could not be used (a locked keychain), and the caller may
// try again later.
//
// Two kinds of job use it: a multipart upload locked for a key whose private
// half is not on this computer (a colleague's public key), whose data key the
// journal's wrapped copy cannot give back (see Uploader.Secrets); and a
// download of a shared link, which is a bearer credential until it expires
// (see Queue.KeepInJournal). Every path that ends such a job deletes its
// entry, so no secret outlives its job; a job abandoned without an end
// loses its entry with its record after MaxRecordAge (Journal.Expire), and
// an upload's goes when its key is removed (Journal.ForgetKey).
type JobSecrets interface {
	Put(id string, secret []byte) error
	Get(id string) ([]byte, bool, error)
	Delete(id string) error
}

// keptKeyID is the JobSecrets entry of upload record id's data key.
func keptKeyID(recordID string) string { return "upload-key-" + recordID }

const (
	keptKeyVersion = 1
	keptKeyLen     = 1 + sha256.Size + 32 + 16
	keptKeyLabel   = "ossvault kept upload data key v1"
)

// keptKeyBinding ties a kept data key to the one upload it was kept for:
// the journal record, the server's upload id and the wrapped key and IV
// exactly as the object's headers carry them. A copy made for another
// upload, or for an earlier try of this one, does not match.
func keptKeyBinding(rec *uploadRecord) [sha256.Size]byte {
	h := sha256.New()
	for _, s := range []string{keptKeyLabel, rec.ID, rec.UploadID,
		rec.Meta[envelope.HeaderKey], rec.Meta[envelope.HeaderStart]} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	var b [sha256.Size]byte
	h.Sum(b[:0])
	return b
}

// sealKeptKey is what JobSecrets holds for rec: a version byte, the binding
// and the data key and counter block.
func sealKeptKey(rec *uploadRecord, dk *envelope.DataKey) []byte {
	b := make([]byte, 0, keptKeyLen)
	bind := keptKeyBinding(rec)
	b = append(b, keptKeyVersion)
	b = append(b, bind[:]...)
	b = append(b, dk.Key[:]...)
	return append(b, dk.IV[:]...)
}

// errKeptKeyRefused: the kept data key is damaged, belongs to another
// upload, or does not open the record's envelope.
var errKeptKeyRefused = errors.New("the kept data key does not belong to this upload")

// openKeptKey returns the data key in b if it was kept for rec and is the
// key env's key check commits to.
func openKeptKey(ctx context.Context, rec *uploadRecord, env *envelope.Envelope, b []byte) (*envelope.DataKey, error) {
	if len(b) != keptKeyLen || b[0] != keptKeyVersion {
		return nil, errKeptKeyRefused
	}
	bind := keptKeyBinding(rec)
	if subtle.ConstantTimeCompare(b[1:1+sha256.Size], bind[:]) != 1 {
		return nil, errKeptKeyRefused
	}
	var dk envelope.DataKey
	copy(dk.Key[:], b[1+sha256.Size:])
	copy(dk.IV[:], b[1+sha256.Size+32:])
	// Open checks the envelope's key check against the key, as it does
	// for a key unwrapped with a private key.
	k, err := envelope.Open(ctx, env, keptIdentity{&dk})
	dk = envelope.DataKey{}
	if err != nil {
		return nil, errKeptKeyRefused
	}
	return k, nil
}

// keptIdentity gives back a data key kept in JobSecrets.
type keptIdentity struct{ dk *envelope.DataKey }

func (k keptIdentity) Unwrap(context.Context, *envelope.Envelope) (*envelope.DataKey, error) {
	c := *k.dk
	return &c, nil
}
