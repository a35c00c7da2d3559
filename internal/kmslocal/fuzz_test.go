package kmslocal

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"testing"
)

// FuzzDecrypt feeds arbitrary blobs to Decrypt: it must never panic, and
// only the one blob sealed here (in any base64 spelling the decoder accepts)
// may decrypt.
func FuzzDecrypt(f *testing.F) {
	s := NewServer()
	keyID, err := s.CreateKey("cn-hangzhou", "")
	if err != nil {
		f.Fatal(err)
	}
	valid, err := seal(keyID, s.keys[keyID].secret, nil, []byte("c2VjcmV0"))
	if err != nil {
		f.Fatal(err)
	}
	validRaw, _ := base64.StdEncoding.DecodeString(valid)
	f.Add(valid)
	f.Add("")
	f.Add("AAAA")
	f.Add(base64.StdEncoding.EncodeToString([]byte(keyID)))
	f.Add(base64.StdEncoding.EncodeToString(append([]byte(keyID), make([]byte, 40)...)))
	f.Fuzz(func(t *testing.T, blob string) {
		resp, aerr := s.decrypt(&request{params: url.Values{"CiphertextBlob": {blob}}, region: "cn-hangzhou"})
		if aerr != nil {
			if aerr.code != "InvalidParameter" && aerr.code != "Forbidden.KeyNotFound" && aerr.code != "MissingParameter" {
				t.Fatalf("unexpected error %v", aerr)
			}
			return
		}
		raw, _ := base64.StdEncoding.DecodeString(blob)
		if !bytes.Equal(raw, validRaw) {
			t.Fatalf("a blob that was never sealed decrypted: %q", blob)
		}
		if resp.(cryptoResponse).Plaintext != "c2VjcmV0" {
			t.Fatalf("wrong plaintext %v", resp)
		}
	})
}
