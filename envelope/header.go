package envelope

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MetaPrefix is the HTTP header prefix of OSS user metadata.
const MetaPrefix = "x-oss-meta-"

// Metadata names (after MetaPrefix, lower case) of the envelope.
const (
	HeaderKey               = "client-side-encryption-key"
	HeaderStart             = "client-side-encryption-start"
	HeaderCEKAlg            = "client-side-encryption-cek-alg"
	HeaderWrapAlg           = "client-side-encryption-wrap-alg"
	HeaderMatDesc           = "client-side-encryption-matdesc"
	HeaderUnencryptedLength = "client-side-encryption-unencrypted-content-length"
	HeaderUnencryptedMD5    = "client-side-encryption-unencrypted-content-md5"
	HeaderDataSize          = "client-side-encryption-data-size"
	HeaderPartSize          = "client-side-encryption-part-size"

	// Names of the old Python clients (oss2 before 2.8); read only.
	HeaderLegacyKey     = "oss-crypto-key"
	HeaderLegacyStart   = "oss-crypto-start"
	HeaderLegacyCEKAlg  = "oss-cek-alg"
	HeaderLegacyWrapAlg = "oss-wrap-alg"
	HeaderLegacyMatDesc = "oss-crypto-matdesc"
	HeaderLegacyLength  = "oss-crypto-unencrypted-content-length"
	HeaderLegacyMD5     = "oss-crypto-unencrypted-content-md5"

	// ossvault's own integrity headers, ignored by other clients.
	HeaderMACAlg    = "ossvault-mac-alg"
	HeaderChunkSize = "ossvault-chunk-size"
	HeaderSize      = "ossvault-size"
	HeaderMAC       = "ossvault-mac"
	HeaderKeyCheck  = "ossvault-key-check"
	// HeaderMarked is written only to carry Envelope.Marked when nothing
	// else written would (see Meta).
	HeaderMarked = "ossvault-marked"
)

// legacyCEKAlgGCM is what old Python clients wrote although the data is CTR.
const legacyCEKAlgGCM = "AES/GCM/NoPadding"

// HeaderError reports a malformed envelope header. It matches ErrIntegrity
// with errors.Is: an envelope that does not parse was damaged or altered.
type HeaderError struct {
	Name string // metadata name, without MetaPrefix
	Err  error
}

func (e *HeaderError) Error() string {
	return fmt.Sprintf("the object's encryption header %s is malformed: %v", e.Name, e.Err)
}

func (e *HeaderError) Unwrap() []error { return []error{e.Err, ErrIntegrity} }

// ParseHeader parses the envelope from an OSS response's headers (an
// http.Header is one; the package needs no HTTP). Names match in any case. It returns ErrNotEncrypted when there is no envelope.
func ParseHeader(h map[string][]string) (*Envelope, error) {
	meta := make(map[string]string)
	for name, values := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, MetaPrefix) || len(values) == 0 {
			continue
		}
		meta[lower[len(MetaPrefix):]] = values[0]
	}
	return ParseMeta(meta)
}

// ParseMeta parses the envelope from user metadata given without the
// "x-oss-meta-" prefix (names with the prefix are accepted too), in any
// case. It returns ErrNotEncrypted when there is no envelope.
//
// Reading is lenient where the SDKs differ (name case, base64 padding,
// whitespace, URL-safe base64, the Python matdesc spacing) and strict
// where a wrong value would decrypt to garbage.
func ParseMeta(meta map[string]string) (*Envelope, error) {
	m := make(map[string]string, len(meta))
	for name, v := range meta {
		name = strings.ToLower(strings.TrimSpace(name))
		name = strings.TrimPrefix(name, MetaPrefix)
		m[name] = v
	}
	if strings.TrimSpace(m[HeaderKey]) != "" {
		return parseCurrent(m)
	}
	if strings.TrimSpace(m[HeaderLegacyKey]) != "" {
		return parseLegacy(m)
	}
	return nil, ErrNotEncrypted
}

// headerSet names the headers of one generation of the format and the
// content-cipher labels it accepts.
type headerSet struct {
	key, start, cekAlg, wrapAlg, matDesc, length, md5 string
	cekAlgs                                           []string
}

var (
	currentHeaders = headerSet{HeaderKey, HeaderStart, HeaderCEKAlg, HeaderWrapAlg,
		HeaderMatDesc, HeaderUnencryptedLength, HeaderUnencryptedMD5, []string{CEKAlgAESCTR}}
	// Old Python clients labelled their CTR data "AES/GCM/NoPadding".
	legacyHeaders = headerSet{HeaderLegacyKey, HeaderLegacyStart, HeaderLegacyCEKAlg, HeaderLegacyWrapAlg,
		HeaderLegacyMatDesc, HeaderLegacyLength, HeaderLegacyMD5, []string{legacyCEKAlgGCM, CEKAlgAESCTR}}
)

// parseEnvelope reads what both generations of the format carry.
func parseEnvelope(m map[string]string, h headerSet) (*Envelope, error) {
	e := &Envelope{UnencryptedLength: -1}
	var err error
	if e.WrappedKey, err = decodeBase64(m[h.key]); err != nil {
		return nil, &HeaderError{h.key, err}
	}
	start, ok := m[h.start]
	if !ok || strings.TrimSpace(start) == "" {
		return nil, &HeaderError{h.start, errors.New("missing")}
	}
	if e.WrappedIV, err = decodeBase64(start); err != nil {
		return nil, &HeaderError{h.start, err}
	}
	e.CEKAlg = strings.TrimSpace(m[h.cekAlg])
	if !slices.ContainsFunc(h.cekAlgs, func(a string) bool { return strings.EqualFold(e.CEKAlg, a) }) {
		return nil, &HeaderError{h.cekAlg, fmt.Errorf("unsupported content cipher %q (only %s exists)", e.CEKAlg, CEKAlgAESCTR)}
	}
	e.WrapAlg = strings.TrimSpace(m[h.wrapAlg])
	if e.WrapAlg == "" {
		return nil, &HeaderError{h.wrapAlg, errors.New("missing")}
	}
	if raw, ok := m[h.matDesc]; ok {
		e.RawMatDesc = raw
		// A description that is not a JSON object of strings is kept as
		// stored: it cannot select a key, but trying every key still can
		// open the object.
		e.MatDesc, _ = ParseMatDesc(raw)
	}
	if v, ok := m[h.length]; ok {
		if e.UnencryptedLength, err = parseNonNeg(strings.TrimSpace(v)); err != nil {
			return nil, &HeaderError{h.length, err}
		}
	}
	e.UnencryptedMD5 = m[h.md5]
	return e, nil
}

func parseCurrent(m map[string]string) (*Envelope, error) {
	e, err := parseEnvelope(m, currentHeaders)
	if err != nil {
		return nil, err
	}
	if v, ok := m[HeaderDataSize]; ok {
		if e.DataSize, err = parseNonNeg(strings.TrimSpace(v)); err != nil {
			return nil, &HeaderError{HeaderDataSize, err}
		}
	}
	if v, ok := m[HeaderPartSize]; ok {
		if e.PartSize, err = parseNonNeg(strings.TrimSpace(v)); err != nil {
			return nil, &HeaderError{HeaderPartSize, err}
		}
		if e.PartSize%16 != 0 {
			return nil, &HeaderError{HeaderPartSize, errors.New("not a multiple of 16")}
		}
	}
	if err := parseOssvault(e, m); err != nil {
		return nil, err
	}
	if err := parseSignature(e, m); err != nil {
		return nil, err
	}
	if err := parseRecipients(e, m); err != nil {
		return nil, err
	}
	e.Marked = marked(e, m)
	return e, nil
}

// marked reports whether the metadata carries any of ossvault's own
// markers: a header named ossvault-*, or a matdesc with the entry ossvault
// writes for its keys.
func marked(e *Envelope, m map[string]string) bool {
	for name := range m {
		if strings.HasPrefix(name, "ossvault-") {
			return true
		}
	}
	if _, ok := e.MatDesc[MatDescKeyName]; ok {
		return true
	}
	// A matdesc that no longer parses as JSON still names the key if the
	// entry is there as text.
	return strings.Contains(e.RawMatDesc, `"`+MatDescKeyName+`"`)
}

func parseLegacy(m map[string]string) (*Envelope, error) {
	e, err := parseEnvelope(m, legacyHeaders)
	if err != nil {
		return nil, err
	}
	e.Legacy = true
	return e, nil
}

// Meta returns the envelope as user metadata: names without MetaPrefix, in
// lower case, values as the Go and Java SDKs write them (standard base64
// with padding; matdesc only when non-empty; data-size and part-size only
// when > 0), plus the ossvault headers when present.
func (e *Envelope) Meta() map[string]string {
	m := make(map[string]string, 12)
	if e.Legacy {
		m[HeaderLegacyKey] = base64.StdEncoding.EncodeToString(e.WrappedKey)
		m[HeaderLegacyStart] = base64.StdEncoding.EncodeToString(e.WrappedIV)
		m[HeaderLegacyCEKAlg] = e.CEKAlg
		m[HeaderLegacyWrapAlg] = e.WrapAlg
		if md := e.matDescString(); md != "" {
			m[HeaderLegacyMatDesc] = md
		}
		if e.UnencryptedLength >= 0 {
			m[HeaderLegacyLength] = strconv.FormatInt(e.UnencryptedLength, 10)
		}
		if e.UnencryptedMD5 != "" {
			m[HeaderLegacyMD5] = e.UnencryptedMD5
		}
		return m
	}
	m[HeaderKey] = base64.StdEncoding.EncodeToString(e.WrappedKey)
	m[HeaderStart] = base64.StdEncoding.EncodeToString(e.WrappedIV)
	m[HeaderCEKAlg] = e.CEKAlg
	m[HeaderWrapAlg] = e.WrapAlg
	if md := e.matDescString(); md != "" {
		m[HeaderMatDesc] = md
	}
	if e.UnencryptedLength >= 0 {
		m[HeaderUnencryptedLength] = strconv.FormatInt(e.UnencryptedLength, 10)
	}
	if e.UnencryptedMD5 != "" {
		m[HeaderUnencryptedMD5] = e.UnencryptedMD5
	}
	if e.DataSize > 0 {
		m[HeaderDataSize] = strconv.FormatInt(e.DataSize, 10)
	}
	if e.PartSize > 0 {
		m[HeaderPartSize] = strconv.FormatInt(e.PartSize, 10)
	}
	if e.KeyCheck != nil {
		m[HeaderKeyCheck] = base64.StdEncoding.EncodeToString(e.KeyCheck)
	}
	if in := e.Integrity; in != nil {
		m[HeaderMACAlg] = in.Alg
		m[HeaderChunkSize] = strconv.FormatInt(in.ChunkSize, 10)
		if in.Size >= 0 { // a stream's size follows its content (TrailerHeaders)
			m[HeaderSize] = strconv.FormatInt(in.Size, 10)
		}
		if in.MAC != nil {
			m[HeaderMAC] = base64.StdEncoding.EncodeToString(in.MAC)
		}
	}
	if e.TrailersInTags {
		m[HeaderMACPlace] = MACPlaceTagging
	}
	e.signatureMeta(m)
	e.recipientsMeta(m)
	if e.Marked && !marked(e, m) {
		// Marked by a header this version does not write (a later
		// version's): keep a marker, so that an envelope written out again
		// (a copy, a re-wrap) still fails closed without its MAC.
		m[HeaderMarked] = "1"
	}
	return m
}

// matDescString is the matdesc header value: as stored when parsed, else
// the canonical form of MatDesc.
func (e *Envelope) matDescString() string {
	if e.RawMatDesc != "" {
		return e.RawMatDesc
	}
	return e.MatDesc.String()
}

// decodeBase64 accepts standard or URL-safe base64, with or without padding,
// with embedded whitespace (line breaks from some encoders).
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		if strings.ContainsAny(s, "+/") {
			return nil, errors.New("mixes the standard and URL-safe base64 alphabets")
		}
		enc = base64.RawURLEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, errors.New("not valid base64")
	}
	return b, nil
}
