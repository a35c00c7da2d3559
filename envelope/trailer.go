package envelope

import (
	"errors"
	"strings"
)

// HeaderMACPlace says where the headers of TrailerHeaders live when they
// are not in the metadata. Its one value is MACPlaceTagging.
const HeaderMACPlace = "ossvault-mac-place"

// MACPlaceTagging is the HeaderMACPlace value of objects whose trailers are
// object tags (a multipart upload: OSS fixes the metadata at initiation,
// before the content, and so before its MAC, exists).
const MACPlaceTagging = "tagging"

// TrailerHeaders names the ossvault headers (without MetaPrefix) that may
// be known only after the content, and so may be written after it: in the
// metadata of a single PUT, as object tags of the same names after a
// multipart upload completes. They are the MAC and the writer's signature
// over it (signature.go), which goes wherever the MAC goes, and the size
// (ossvault-size) of a stream, which is known only at its end; a multipart
// upload of known size keeps its size in the metadata. Readers treat
// every name here alike, in whichever of the two places it is (never both);
// nothing else may be read from tags.
var TrailerHeaders = []string{HeaderMAC, HeaderSig, HeaderSize}

// IsTrailer reports whether name (without MetaPrefix, any case) is one of
// TrailerHeaders.
func IsTrailer(name string) bool {
	name = strings.ToLower(strings.TrimPrefix(strings.ToLower(name), MetaPrefix))
	for _, t := range TrailerHeaders {
		if t == name {
			return true
		}
	}
	return false
}

// SplitTrailers splits metadata as Meta returns it into the headers that
// are not TrailerHeaders and those that are. Writers use Trailers, which
// keeps in the metadata what was known at initiation.
func SplitTrailers(meta map[string]string) (head, trailers map[string]string) {
	head = make(map[string]string, len(meta))
	trailers = make(map[string]string)
	for k, v := range meta {
		if IsTrailer(k) {
			trailers[k] = v
		} else {
			head[k] = v
		}
	}
	return head, trailers
}

// Trailers returns what follows the content of a multipart upload: the
// TrailerHeaders in final (Meta once the MAC is computed and signed) that
// head, the metadata sent at initiation, did not carry.
func Trailers(head, final map[string]string) map[string]string {
	out := make(map[string]string)
	for k, v := range final {
		if _, sent := head[k]; !sent && IsTrailer(k) {
			out[k] = v
		}
	}
	return out
}

// ErrTrailerTwice is wrapped (with ErrIntegrity) when a trailer is both in
// the metadata and in the tags: one of them was put there by someone else.
var ErrTrailerTwice = errors.New("an integrity header is both in the object's metadata and in its tags")

// MergeTrailers returns a copy of the response header h with the trailers
// among tags (the object's tags, names as TrailerHeaders spells them) added
// as x-oss-meta-* headers. Tags of other names are ignored. A trailer in
// both places fails with an error matching ErrTrailerTwice and
// ErrIntegrity. Call it, then ParseHeader, for an envelope whose
// TrailersInTags is set.
func MergeTrailers(h map[string][]string, tags map[string]string) (map[string][]string, error) {
	out := make(map[string][]string, len(h)+len(TrailerHeaders))
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	for _, name := range TrailerHeaders {
		v, ok := tags[name]
		if !ok {
			continue
		}
		hn := MetaPrefix + name
		if headerHas(h, hn) {
			return nil, &HeaderError{name, ErrTrailerTwice}
		}
		out[canonicalName(hn)] = []string{v}
	}
	return out, nil
}

// headerHas finds name in h in any case, as ParseHeader reads it.
func headerHas(h map[string][]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// canonicalName spells an ASCII header name as net/http's
// CanonicalHeaderKey does (X-Oss-Meta-Name), so that a merged header reads
// the same through http.Header's Get as the server's own.
func canonicalName(name string) string {
	b := []byte(strings.ToLower(name))
	upper := true
	for i, c := range b {
		if upper && 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		upper = c == '-'
	}
	return string(b)
}
