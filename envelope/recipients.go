package envelope

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// HeaderRecipients (after MetaPrefix) holds the wraps of the data key for
// every recipient after the first, whose wrap stays in the SDK's own
// headers (doc.go, "Several recipients").
const HeaderRecipients = "ossvault-recipients"

// MACAlgRecipients is the integrity construction of an object for several
// recipients: the signed construction's encoding with the recipients
// header bound after the key check, under its own key label and root tag.
// Like MACAlgSigned it is only ever written signed.
const MACAlgRecipients = "BLAKE3-CHUNKED-v4"

var schemeRecipients = &macScheme{
	alg:     MACAlgRecipients,
	info:    "ossvault integrity v4 blake3",
	rootTag: "ossvault root v4",
	newMAC:  newBLAKE3,
}

// MaxUserMeta is OSS's limit on an object's user metadata: 8 KB, counting
// names (CheckMetaSize counts them with their x-oss-meta- prefix) and
// values.
const MaxUserMeta = 8 << 10

// ErrTooManyRecipients is wrapped by the error of an object whose
// envelope, with one wrap of its data key per recipient, would not fit in
// OSS's user metadata (MaxUserMeta).
var ErrTooManyRecipients = errors.New("too many recipients for one object")

// Recipient is one wrap of the data key: the SDK headers' (the first) or
// one of HeaderRecipients.
type Recipient struct {
	WrapAlg string
	// MatDesc is the parsed description (nil if absent); RawMatDesc is
	// the text as stored.
	MatDesc    MatDesc
	RawMatDesc string
	WrappedKey []byte
	WrappedIV  []byte
}

// Limits of the recipients encoding.
const (
	recipientsVersion = 1
	maxRecipients     = 255 // the count is one byte; 8 KB of metadata holds far fewer
)

// SealFor is Seal for several recipients: one fresh data key, wrapped by
// each of ws. The first wrap goes in the SDK's headers, so the official
// SDKs open the object with that key; the others go in HeaderRecipients.
// The object must then be signed (SetWriter before Sum, Sign after): its
// construction, MACAlgRecipients, is only written signed.
func SealFor(ctx context.Context, ws []Wrapper, rand io.Reader) (*Envelope, *DataKey, error) {
	if len(ws) == 0 {
		return nil, nil, errors.New("an object needs at least one key to be locked with")
	}
	if len(ws) > maxRecipients+1 {
		return nil, nil, fmt.Errorf("%w: %d keys given, at most %d fit the format", ErrTooManyRecipients, len(ws), maxRecipients+1)
	}
	k, err := NewDataKey(rand)
	if err != nil {
		return nil, nil, err
	}
	wraps := make([]Recipient, len(ws))
	for i, w := range ws {
		if wraps[i], err = wrapFor(ctx, w, k); err != nil {
			*k = DataKey{}
			return nil, nil, err
		}
	}
	first := wraps[0]
	e := &Envelope{
		WrappedKey:        first.WrappedKey,
		WrappedIV:         first.WrappedIV,
		CEKAlg:            CEKAlgAESCTR,
		WrapAlg:           first.WrapAlg,
		MatDesc:           first.MatDesc,
		RawMatDesc:        first.RawMatDesc,
		UnencryptedLength: -1,
		KeyCheck:          keyCheck(k),
	}
	if len(wraps) > 1 {
		e.Recipients = wraps[1:]
	}
	return e, k, nil
}

func wrapFor(ctx context.Context, w Wrapper, k *DataKey) (Recipient, error) {
	wk, err := w.Wrap(ctx, k.Key[:])
	if err != nil {
		return Recipient{}, err
	}
	wiv, err := w.Wrap(ctx, k.IV[:])
	if err != nil {
		return Recipient{}, err
	}
	md := w.MatDesc()
	return Recipient{WrapAlg: w.WrapAlg(), MatDesc: md, RawMatDesc: md.String(), WrappedKey: wk, WrappedIV: wiv}, nil
}

// Wraps returns every wrap of the data key, the SDK headers' first, then
// those of HeaderRecipients in their order.
func (e *Envelope) Wraps() []Recipient {
	if e == nil {
		return nil
	}
	first := Recipient{WrapAlg: e.WrapAlg, MatDesc: e.MatDesc, RawMatDesc: e.matDescString(),
		WrappedKey: e.WrappedKey, WrappedIV: e.WrappedIV}
	return append([]Recipient{first}, e.Recipients...)
}

// wrapView returns e as if wrap i (of Wraps) were the SDK headers' wrap,
// for an Identity to unwrap: identities read only the wrap fields, the
// legacy flag and the key check.
func (e *Envelope) wrapView(i int) *Envelope {
	if i == 0 {
		return e
	}
	r := e.Recipients[i-1]
	v := *e
	v.WrappedKey, v.WrappedIV, v.WrapAlg = r.WrappedKey, r.WrappedIV, r.WrapAlg
	v.MatDesc, v.RawMatDesc = r.MatDesc, r.RawMatDesc
	v.Recipients = nil
	return &v
}

// OnlyWrap returns an identity that Open tries on wrap i of Wraps only,
// for callers that chose the key by that wrap's matdesc: it spares the
// other wraps an RSA decryption or a KMS call each.
func OnlyWrap(id Identity, i int) Identity {
	return &onlyWrap{Identity: id, wrap: i}
}

type onlyWrap struct {
	Identity
	wrap int
}

// encodeRecipients is the HeaderRecipients value before base64 (doc.go):
// a version byte, a count byte, then per recipient the wrap algorithm,
// the matdesc, the wrapped key and the wrapped counter, each as a 16-bit
// big-endian length and the bytes. It is also what the MAC binds.
func encodeRecipients(rs []Recipient) []byte {
	if len(rs) == 0 {
		return nil
	}
	b := []byte{recipientsVersion, byte(len(rs))}
	f := func(x []byte) {
		b = binary.BigEndian.AppendUint16(b, uint16(len(x)))
		b = append(b, x...)
	}
	for _, r := range rs {
		f([]byte(r.WrapAlg))
		f([]byte(r.RawMatDesc))
		f(r.WrappedKey)
		f(r.WrappedIV)
	}
	return b
}

// parseRecipients reads HeaderRecipients strictly: ossvault alone writes
// it, so anything but what encodeRecipients produces is a damaged or
// altered envelope.
func parseRecipients(e *Envelope, m map[string]string) error {
	v, ok := m[HeaderRecipients]
	if !ok {
		return nil
	}
	raw, err := decodeBase64(v)
	if err != nil {
		return &HeaderError{HeaderRecipients, err}
	}
	rs, err := decodeRecipients(raw)
	if err != nil {
		return &HeaderError{HeaderRecipients, err}
	}
	e.Recipients = rs
	return nil
}

func decodeRecipients(raw []byte) ([]Recipient, error) {
	if len(raw) < 2 {
		return nil, errors.New("too short")
	}
	if raw[0] != recipientsVersion {
		return nil, fmt.Errorf("unknown version %d", raw[0])
	}
	n := int(raw[1])
	if n == 0 {
		return nil, errors.New("lists no recipient")
	}
	p := raw[2:]
	next := func(what string) ([]byte, error) {
		if len(p) < 2 {
			return nil, fmt.Errorf("ends inside a recipient's %s", what)
		}
		l := int(binary.BigEndian.Uint16(p))
		if len(p)-2 < l {
			return nil, fmt.Errorf("ends inside a recipient's %s", what)
		}
		x := p[2 : 2+l]
		p = p[2+l:]
		return x, nil
	}
	rs := make([]Recipient, n)
	for i := range rs {
		alg, err := next("wrap algorithm")
		if err != nil {
			return nil, err
		}
		md, err := next("key description")
		if err != nil {
			return nil, err
		}
		wk, err := next("wrapped key")
		if err != nil {
			return nil, err
		}
		wiv, err := next("wrapped counter")
		if err != nil {
			return nil, err
		}
		r := Recipient{WrapAlg: string(alg), RawMatDesc: string(md),
			WrappedKey: append([]byte(nil), wk...), WrappedIV: append([]byte(nil), wiv...)}
		if r.WrapAlg != WrapRSA && r.WrapAlg != WrapKMS {
			return nil, fmt.Errorf("recipient %d has the wrap algorithm %q, which ossvault never writes", i+2, r.WrapAlg)
		}
		if len(r.WrappedKey) == 0 || len(r.WrappedIV) == 0 {
			return nil, fmt.Errorf("recipient %d has an empty wrapped key", i+2)
		}
		if r.RawMatDesc != "" {
			if r.MatDesc, err = ParseMatDesc(r.RawMatDesc); err != nil || r.MatDesc.String() != r.RawMatDesc {
				return nil, fmt.Errorf("recipient %d has a key description that is not compact JSON of strings", i+2)
			}
		}
		rs[i] = r
	}
	if len(p) != 0 {
		return nil, errors.New("has data after its last recipient")
	}
	return rs, nil
}

// recipientsMeta adds HeaderRecipients to m when e has more than one
// recipient.
func (e *Envelope) recipientsMeta(m map[string]string) {
	if b := encodeRecipients(e.Recipients); b != nil {
		m[HeaderRecipients] = base64.StdEncoding.EncodeToString(b)
	}
}

// checkRecipients ties the recipients header to its construction: only
// MACAlgRecipients binds it, so the header on any other object was added
// by someone else, and that construction without it had it removed.
func (e *Envelope) checkRecipients() error {
	in := e.Integrity
	if in == nil {
		return nil // RequireIntegrity decides: the header marks the object
	}
	switch have := len(e.Recipients) > 0; {
	case have && in.Alg != MACAlgRecipients:
		return fmt.Errorf("the object lists recipients its integrity MAC (%s) does not cover: %w", in.Alg, ErrIntegrity)
	case !have && in.Alg == MACAlgRecipients:
		return fmt.Errorf("the object's list of recipients was removed: %w", ErrIntegrity)
	}
	return nil
}

// writeScheme is the construction Sum and NewSummer write for e: with
// several recipients MACAlgRecipients, with a writer MACAlgSigned, else
// MACAlg.
func writeScheme(e *Envelope) (*macScheme, error) {
	switch {
	case len(e.Recipients) > 0 && e.Signer == nil:
		return nil, errors.New("an object for several recipients must be signed by its writer (SetWriter)")
	case len(e.Recipients) > 0:
		return schemeRecipients, nil
	case e.Signer != nil:
		return schemeSigned, nil
	}
	return schemeBLAKE3, nil
}

// signedAlg reports whether a MAC construction is one that is only ever
// written signed.
func signedAlg(alg string) bool {
	return alg == MACAlgSigned || alg == MACAlgRecipients
}

// MetaSize is the size OSS counts for user metadata as Meta returns it:
// every name with its x-oss-meta- prefix, and every value.
func MetaSize(meta map[string]string) int {
	n := 0
	for k, v := range meta {
		if !strings.HasPrefix(strings.ToLower(k), MetaPrefix) {
			n += len(MetaPrefix)
		}
		n += len(k) + len(v)
	}
	return n
}

// Placeholder values of the trailers not yet computed when the size is
// checked, at their final sizes.
var (
	macPlaceholder = base64.StdEncoding.EncodeToString(make([]byte, macSize))
	sigPlaceholder = base64.StdEncoding.EncodeToString(make([]byte, 64))
)

// CheckMetaSize returns an error wrapping ErrTooManyRecipients when e's
// metadata would exceed MaxUserMeta. Call it once every header is set but
// the MAC and signature (after NewSummer, before anything is sent). It
// counts the envelope as a single PUT stores it, MAC and signature
// included, plus the place header of a multipart upload, so that how many
// recipients fit does not depend on the file's size.
func (e *Envelope) CheckMetaSize() error {
	m := e.Meta()
	if e.Integrity != nil {
		if _, ok := m[HeaderMAC]; !ok {
			m[HeaderMAC] = macPlaceholder
		}
		m[HeaderMACPlace] = MACPlaceTagging
	}
	if e.Signer != nil {
		if _, ok := m[HeaderSig]; !ok {
			m[HeaderSig] = sigPlaceholder
		}
	}
	if size := MetaSize(m); size > MaxUserMeta {
		return fmt.Errorf("%w: locked for %d keys, the object's encryption headers take %d bytes, and OSS stores at most %d; lock it for fewer keys or share it separately",
			ErrTooManyRecipients, len(e.Recipients)+1, size, MaxUserMeta)
	}
	return nil
}
