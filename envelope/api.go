package envelope

// This file holds the package's shared types and sentinel errors; godoc
// lists every exported function with the file that implements it.

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Algorithm names as they appear in the headers.
const (
	CEKAlgAESCTR = "AES/CTR/NoPadding"
	WrapRSA      = "RSA/NONE/PKCS1Padding"
	WrapRSAOAEP  = "RSA/NONE/OAEPWithSHA-1AndMGF1Padding" // legacy Python LocalRsaProvider; read only
	WrapKMS      = "KMS/ALICLOUD"
)

// Sentinel errors for outcomes callers act on. Match them with errors.Is.
var (
	// ErrNoKey: none of the given identities can open the object.
	// The returned error is a *NoKeyError naming the object's matdesc.
	ErrNoKey = errors.New("no key available to open this object")
	// ErrIntegrity: the object or its envelope was altered.
	ErrIntegrity = errors.New("integrity check failed: the object or its envelope was altered")
	// ErrNotEncrypted: the headers carry no client-side-encryption envelope.
	ErrNotEncrypted = errors.New("object is not client-side encrypted")
	// ErrIncorrectIdentity is returned by an Identity that is not the one the
	// object was wrapped for. Open moves on to the next identity on it; every
	// other error from an Identity is fatal.
	ErrIncorrectIdentity = errors.New("this key does not open the object")
)

// NoKeyError is returned by Open when no identity opens the object.
type NoKeyError struct {
	MatDesc string // the object's matdesc as stored ("" if none)
	WrapAlg string
	// Others are the matdescs of the object's other recipients
	// (Envelope.Recipients), as stored.
	Others []string
}

// MatDesc is a master key description: a JSON object of strings.
type MatDesc map[string]string

// IntegrityStatus is the outcome of checking an object's ossvault MAC.
type IntegrityStatus int

const (
	// Unverified: the object carries no ossvault MAC (another client wrote it).
	Unverified IntegrityStatus = iota
	// Verified: the MAC matched the content and the envelope.
	Verified
	// Failed: the MAC did not match.
	Failed
)

// DataKey is one object's content-encryption key and initial counter block.
type DataKey struct {
	Key [32]byte
	IV  [16]byte
}

// Wrapper wraps data keys with a master key.
type Wrapper interface {
	// WrapAlg is the value for client-side-encryption-wrap-alg.
	WrapAlg() string
	// MatDesc describes the master key; it may be empty.
	MatDesc() MatDesc
	// Wrap wraps secret (the 32-byte key or the 16-byte IV) and returns the
	// raw bytes to be stored base64-encoded in the header.
	Wrap(ctx context.Context, secret []byte) ([]byte, error)
}

// Identity opens envelopes wrapped for one master key.
type Identity interface {
	// Unwrap returns the data key, or an error wrapping ErrIncorrectIdentity
	// if this identity cannot open e. Any other error is fatal to Open.
	Unwrap(ctx context.Context, e *Envelope) (*DataKey, error)
}

// KMS is the part of Alibaba Cloud KMS the envelope needs. Plaintexts travel
// base64-encoded, as the KMS API takes and returns them. Decrypt should
// return an error wrapping ErrIncorrectIdentity when the blob belongs to a
// key this client may not use (so Open tries the next identity); any other
// error (network, throttling) stops Open.
type KMS interface {
	Encrypt(ctx context.Context, keyID, plaintextBase64 string) (ciphertextBlob string, err error)
	Decrypt(ctx context.Context, ciphertextBlob string) (plaintextBase64 string, err error)
}

// Integrity is ossvault's own MAC over the content and the envelope, carried
// in x-oss-meta-ossvault-* headers that other clients ignore.
type Integrity struct {
	Alg       string
	ChunkSize int64
	Size      int64
	MAC       []byte
}

// Envelope is the parsed x-oss-meta-client-side-encryption-* metadata.
type Envelope struct {
	WrappedKey []byte
	WrappedIV  []byte
	CEKAlg     string
	WrapAlg    string
	// MatDesc is the parsed description (nil if absent); RawMatDesc is the
	// header value exactly as stored.
	MatDesc    MatDesc
	RawMatDesc string
	// UnencryptedLength is -1 when absent.
	UnencryptedLength int64
	UnencryptedMD5    string
	// DataSize and PartSize are set for multipart uploads, else 0.
	DataSize int64
	PartSize int64
	// Legacy is true for the x-oss-meta-oss-crypto-* headers of old Python
	// clients.
	Legacy bool
	// Integrity is nil for objects written by other clients.
	Integrity *Integrity
	// KeyCheck lets Open recognise the right data key without a padding
	// oracle (see doc.go); nil for objects written by other clients.
	KeyCheck []byte
	// Marked is true when the headers carry any of ossvault's own markers:
	// an ossvault-* header or a matdesc naming an ossvault key. Such an
	// object was written by ossvault, so it must verify: an ossvault object
	// whose integrity headers were stripped fails instead of reading as
	// another client's (see RequireIntegrity).
	Marked bool
	// TrailersInTags is true when the TrailerHeaders (the MAC) are object
	// tags rather than metadata (HeaderMACPlace): read the tags and parse
	// again with MergeTrailers. Until then Integrity.MAC is nil and the
	// object fails verification, so a removed tag fails closed.
	TrailersInTags bool

	// The writer's signature (signature.go; nil or zero when absent):
	// the writer's Ed25519 public key, the name and time it bound, and
	// the signature over them and the MAC. Valid only once
	// CheckSignature returned nil.
	Signer         ed25519.PublicKey
	SigAlg         string
	UploadedBucket string
	UploadedKey    string
	UploadedAt     time.Time
	Sig            []byte

	// Recipients are the wraps of the data key after the first (the SDK
	// headers' one), from HeaderRecipients (recipients.go); nil for an
	// object locked for one key. Wraps lists them all.
	Recipients []Recipient
}

// ErrStripped is wrapped (together with ErrIntegrity) by the error of an
// object that carries ossvault's markers but no integrity MAC.
var ErrStripped = errors.New("the object carries ossvault's markers but its integrity check was removed")

// MatDescKeyName is the matdesc entry ossvault writes for its own keys (the
// key's fingerprint); its presence marks an object as ossvault's.
const MatDescKeyName = "ossvault-key"

// RequireIntegrity returns an error matching ErrIntegrity and ErrStripped
// when e carries ossvault's markers but no integrity MAC: someone removed
// the MAC headers (or the MAC tag of an object whose MAC is in tags) to
// turn a failed check into a mere warning. It also returns
// CheckSignature's error (ErrBadSignature), so that every reader refuses a
// badly signed object as it refuses a bad MAC.
func (e *Envelope) RequireIntegrity() error {
	if e != nil && e.Marked && (e.Integrity == nil || e.Integrity.MAC == nil) {
		return fmt.Errorf("%w: %w", ErrStripped, ErrIntegrity)
	}
	if err := e.checkRecipients(); err != nil {
		return err
	}
	return e.CheckSignature()
}

func (e *NoKeyError) Error() string {
	if e.MatDesc == "" {
		return "no key on this computer opens this object (it has no key description; every private key was tried)"
	}
	if len(e.Others) > 0 {
		return "no key on this computer opens this object: it was locked with the keys described as " + e.MatDesc + ", " + strings.Join(e.Others, ", ")
	}
	return "no key on this computer opens this object: it was locked with the key described as " + e.MatDesc
}

// Is makes errors.Is(err, ErrNoKey) true for a *NoKeyError.
func (e *NoKeyError) Is(target error) bool { return target == ErrNoKey }
