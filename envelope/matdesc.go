package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
)

// ParseMatDesc parses a matdesc header value: a JSON object whose values are
// strings, in any of the forms the SDKs write (Go/Java/C++ compact, Python
// with spaces). The empty string is an empty description.
func ParseMatDesc(s string) (MatDesc, error) {
	if s == "" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	var md MatDesc
	if err := dec.Decode(&md); err != nil {
		return nil, fmt.Errorf("failed to parse the key description %q: it must be a JSON object of strings: %w", s, err)
	}
	if md == nil {
		return nil, fmt.Errorf("failed to parse the key description %q: it must be a JSON object of strings", s)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("failed to parse the key description %q: unexpected data after the JSON object", s)
	}
	return md, nil
}

// String returns the description as the Go and Java SDKs write it: compact
// JSON with sorted keys (json.Marshal form), or "" when empty.
func (md MatDesc) String() string {
	if len(md) == 0 {
		return ""
	}
	b, err := json.Marshal(map[string]string(md))
	if err != nil {
		// Unreachable: a map of strings always marshals.
		panic(err)
	}
	return string(b)
}

// Equal reports whether two descriptions are the same map. The SDKs write
// the same map as different JSON text, so strings must not be compared.
func (md MatDesc) Equal(o MatDesc) bool {
	return maps.Equal(md, o)
}
