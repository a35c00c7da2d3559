package envelope

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Metadata names (after MetaPrefix) of the writer's signature (doc.go,
// "Authorship"). Like the MAC headers, other clients ignore them.
const (
	HeaderSigner     = "ossvault-signer"      // base64 of the 32-byte Ed25519 public key
	HeaderSigAlg     = "ossvault-sig-alg"     // SigAlg
	HeaderUploadedAs = "ossvault-uploaded-as" // oss://BUCKET/KEY, KEY percent-encoded (EncodeUploadedAs)
	HeaderUploadedAt = "ossvault-uploaded-at" // RFC 3339, UTC, whole seconds
	HeaderSig        = "ossvault-sig"         // base64 of the 64-byte signature
)

// SigAlg names the signature construction in the ossvault-sig-alg header.
const SigAlg = "ED25519-v1"

// MACAlgSigned is the integrity construction written with a signature:
// BLAKE3-CHUNKED-v2's encoding under its own key label and root tag. An
// object naming it must carry a valid signature, so that removing the
// signature headers cannot make a signed object read as an old, unsigned
// one (doc.go).
const MACAlgSigned = "BLAKE3-CHUNKED-v3"

// ErrBadSignature is matched, together with ErrIntegrity, by the error of
// an object whose writer's signature is malformed, incomplete, removed
// where the MAC construction requires it, or does not verify.
var ErrBadSignature = errors.New("the writer's signature does not verify")

const (
	sigTag         = "ossvault signature v1"
	uploadedScheme = "oss://"
	uploadedLayout = "2006-01-02T15:04:05Z"
)

var schemeSigned = &macScheme{
	alg:     MACAlgSigned,
	info:    "ossvault integrity v3 blake3",
	rootTag: "ossvault root v3",
	newMAC:  newBLAKE3,
}

// signatureError is one reason a signature fails; it matches
// ErrBadSignature and ErrIntegrity.
type signatureError string

func (e signatureError) Error() string {
	return "the writer's signature on the object " + string(e)
}

func (e signatureError) Is(target error) bool {
	return target == ErrBadSignature || target == ErrIntegrity
}

// SetWriter records who writes the object, under which name and when: the
// writer's signing public key, the bucket and key it is uploaded as, and
// the time, kept to the second in UTC, with the signature algorithm: the
// headers written when the upload starts. Call it after Seal and before Sum:
// it makes Sum use MACAlgSigned, and the object must then be signed (Sign)
// once its MAC is known.
func (e *Envelope) SetWriter(signer ed25519.PublicKey, bucket, key string, at time.Time) error {
	if len(signer) != ed25519.PublicKeySize {
		return fmt.Errorf("the signing key has %d bytes, want %d", len(signer), ed25519.PublicKeySize)
	}
	if !validBucket(bucket) || key == "" {
		return fmt.Errorf("a signed object needs a valid bucket name and a key, not %q and %q", bucket, key)
	}
	if at.IsZero() {
		return errors.New("a signed object needs its upload time")
	}
	e.Signer = bytes.Clone(signer)
	e.SigAlg = SigAlg
	e.UploadedBucket, e.UploadedKey = bucket, key
	e.UploadedAt = at.UTC().Truncate(time.Second)
	return nil
}

// Sign signs the object's MAC, name and time with priv, whose public half
// SetWriter recorded. Sum must have run: the signature covers the MAC.
func (e *Envelope) Sign(priv ed25519.PrivateKey) error {
	if len(priv) != ed25519.PrivateKeySize {
		return errors.New("failed to sign the object: the signing key is malformed")
	}
	if e.Signer == nil || e.SigAlg != SigAlg || e.UploadedBucket == "" || e.UploadedKey == "" || e.UploadedAt.IsZero() {
		return errors.New("failed to sign the object: its writer, name and time were not set (SetWriter)")
	}
	if e.Integrity == nil || e.Integrity.MAC == nil {
		return errors.New("failed to sign the object: its integrity MAC is not computed yet")
	}
	if !signedAlg(e.Integrity.Alg) {
		return fmt.Errorf("failed to sign the object: its MAC is %s, and only %s and %s are signed", e.Integrity.Alg, MACAlgSigned, MACAlgRecipients)
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), e.Signer) {
		return errors.New("failed to sign the object: the signing key is not the one recorded as its writer")
	}
	e.Sig = ed25519.Sign(priv, e.signedMessage())
	return nil
}

// Signed reports whether the object carries a signature. Whether it is
// valid is CheckSignature's to say.
func (e *Envelope) Signed() bool {
	return e != nil && e.Sig != nil
}

// CheckSignature checks the writer's signature. It returns nil when the
// signature verifies, and also for an object that legitimately carries
// none (Signed is false): one written by another client, or by an ossvault
// version before signatures, whose MAC construction is not MACAlgSigned.
// Otherwise the error matches ErrBadSignature and ErrIntegrity: some but
// not all signature headers present, a signature without a MAC or on a MAC
// construction that is never signed, an unknown signature algorithm, a
// MACAlgSigned object without its signature, or a signature that does not
// verify. It checks the signature over the MAC as the headers state it;
// the MAC itself is checked against the content by the verifiers, and only
// both together say the writer wrote this content.
func (e *Envelope) CheckSignature() error {
	if e == nil {
		return nil
	}
	have := []bool{e.Signer != nil, e.SigAlg != "", e.UploadedBucket != "", !e.UploadedAt.IsZero(), e.Sig != nil}
	n := 0
	for _, h := range have {
		if h {
			n++
		}
	}
	in := e.Integrity
	switch {
	case n == 0 && in != nil && signedAlg(in.Alg):
		return signatureError("was removed (its MAC construction is only ever written signed)")
	case n == 0:
		return nil
	case n < len(have):
		return signatureError("is incomplete: some of its headers are missing")
	case in == nil:
		return signatureError("signs no integrity MAC")
	case !signedAlg(in.Alg):
		return signatureError(fmt.Sprintf("is on a MAC of %q, which ossvault never signs", in.Alg))
	case e.SigAlg != SigAlg:
		return signatureError(fmt.Sprintf("uses %q, an algorithm this version does not know", e.SigAlg))
	case len(e.Signer) != ed25519.PublicKeySize || len(e.Sig) != ed25519.SignatureSize:
		return signatureError("is malformed")
	}
	if !ed25519.Verify(e.Signer, e.signedMessage(), e.Sig) {
		return signatureError("does not match: the object, its name or its time was changed, or someone else signed it")
	}
	return nil
}

// signedMessage is what the writer signs (doc.go): every field
// length-prefixed, so no two messages encode alike.
func (e *Envelope) signedMessage() []byte {
	var b []byte
	field := func(x []byte) {
		b = binary.BigEndian.AppendUint64(b, uint64(len(x)))
		b = append(b, x...)
	}
	var macAlg string
	var mac []byte
	if e.Integrity != nil {
		macAlg, mac = e.Integrity.Alg, e.Integrity.MAC
	}
	field([]byte(sigTag))
	field([]byte(e.SigAlg))
	field([]byte(macAlg))
	field(mac)
	field(e.Signer)
	field([]byte(e.UploadedBucket))
	field([]byte(e.UploadedKey))
	field([]byte(formatUploadedAt(e.UploadedAt)))
	return b
}

func formatUploadedAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(uploadedLayout)
}

// UploadedAs is the name the writer bound, as oss://BUCKET/KEY (not
// encoded, to be escaped when printed), or "" when the object carries none.
func (e *Envelope) UploadedAs() string {
	if e == nil || e.UploadedBucket == "" {
		return ""
	}
	return uploadedScheme + e.UploadedBucket + "/" + e.UploadedKey
}

// EncodeUploadedAs renders the ossvault-uploaded-as value: oss://BUCKET/KEY
// with every byte of the key outside A-Z a-z 0-9 - . _ ~ / written as %XX
// (upper-case hex). Any key, UTF-8 or control characters included, so
// survives an HTTP header unchanged and stays readable where it is plain.
func EncodeUploadedAs(bucket, key string) string {
	var b strings.Builder
	b.WriteString(uploadedScheme + bucket + "/")
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(key); i++ {
		c := key[i]
		if unreservedKeyByte(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func unreservedKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0
}

// ParseUploadedAs reads an ossvault-uploaded-as value. It is strict: the
// bucket is a valid OSS bucket name, the key is not empty, and the key
// holds only the bytes EncodeUploadedAs leaves plain and %XX escapes.
func ParseUploadedAs(s string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(s, uploadedScheme)
	if !ok {
		return "", "", errors.New("does not begin with oss://")
	}
	bucket, enc, ok := strings.Cut(rest, "/")
	if !ok || !validBucket(bucket) {
		return "", "", errors.New("does not name a valid bucket")
	}
	var b []byte
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		switch {
		case c == '%':
			if i+2 >= len(enc) {
				return "", "", errors.New("ends inside a %XX escape")
			}
			hi, ok1 := hexNibble(enc[i+1])
			lo, ok2 := hexNibble(enc[i+2])
			if !ok1 || !ok2 {
				return "", "", errors.New("has a % not followed by two hex digits")
			}
			b = append(b, hi<<4|lo)
			i += 2
		case unreservedKeyByte(c):
			b = append(b, c)
		default:
			return "", "", fmt.Errorf("has the unescaped byte %q", c)
		}
	}
	if len(b) == 0 {
		return "", "", errors.New("names no object key")
	}
	return bucket, string(b), nil
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// validBucket is OSS's bucket naming rule: 3 to 63 lower-case letters,
// digits and hyphens, beginning and ending with a letter or digit.
func validBucket(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ParseUploadedAt reads an ossvault-uploaded-at value: RFC 3339 in UTC
// with whole seconds, exactly as written ("2026-01-02T15:04:05Z"), so that
// the value signed and the value shown are one.
func ParseUploadedAt(s string) (time.Time, error) {
	t, err := time.Parse(uploadedLayout, s)
	if err != nil || t.Format(uploadedLayout) != s {
		return time.Time{}, errors.New("is not an RFC 3339 UTC time in whole seconds (like 2026-01-02T15:04:05Z)")
	}
	return t, nil
}

// parseSignature reads the signature headers that are present. Each one
// present must be well formed; whether they are complete, and valid, is
// CheckSignature's to decide, so that the metadata of an upload whose
// trailer headers come later (TrailerHeaders) still parses.
func parseSignature(e *Envelope, m map[string]string) error {
	if v, ok := m[HeaderSigner]; ok {
		pub, err := decodeBase64(v)
		if err != nil {
			return &HeaderError{HeaderSigner, err}
		}
		if len(pub) != ed25519.PublicKeySize {
			return &HeaderError{HeaderSigner, fmt.Errorf("%d bytes, want %d", len(pub), ed25519.PublicKeySize)}
		}
		e.Signer = ed25519.PublicKey(pub)
	}
	if v, ok := m[HeaderSigAlg]; ok {
		if e.SigAlg = strings.TrimSpace(v); e.SigAlg == "" {
			return &HeaderError{HeaderSigAlg, errors.New("empty")}
		}
	}
	if v, ok := m[HeaderUploadedAs]; ok {
		b, k, err := ParseUploadedAs(strings.TrimSpace(v))
		if err != nil {
			return &HeaderError{HeaderUploadedAs, err}
		}
		e.UploadedBucket, e.UploadedKey = b, k
	}
	if v, ok := m[HeaderUploadedAt]; ok {
		t, err := ParseUploadedAt(strings.TrimSpace(v))
		if err != nil {
			return &HeaderError{HeaderUploadedAt, err}
		}
		e.UploadedAt = t
	}
	if v, ok := m[HeaderSig]; ok {
		sig, err := decodeBase64(v)
		if err != nil {
			return &HeaderError{HeaderSig, err}
		}
		if len(sig) != ed25519.SignatureSize {
			return &HeaderError{HeaderSig, fmt.Errorf("%d bytes, want %d", len(sig), ed25519.SignatureSize)}
		}
		e.Sig = sig
	}
	return nil
}

// signatureMeta adds the signature headers that are set to m.
func (e *Envelope) signatureMeta(m map[string]string) {
	if e.Signer != nil {
		m[HeaderSigner] = base64.StdEncoding.EncodeToString(e.Signer)
	}
	if e.SigAlg != "" {
		m[HeaderSigAlg] = e.SigAlg
	}
	if e.UploadedBucket != "" {
		m[HeaderUploadedAs] = EncodeUploadedAs(e.UploadedBucket, e.UploadedKey)
	}
	if !e.UploadedAt.IsZero() {
		m[HeaderUploadedAt] = formatUploadedAt(e.UploadedAt)
	}
	if e.Sig != nil {
		m[HeaderSig] = base64.StdEncoding.EncodeToString(e.Sig)
	}
}
