package kmslocal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// A ciphertext blob is base64(keyID || nonce || AES-256-GCM(plaintext)), with
// keyID the key's 36-character UUID in ASCII. Real KMS blobs also start with
// the key's UUID, which is why Decrypt needs no KeyId and why readers can tell
// a blob from a base64 of a blob (the Python SDK's double encoding).
const (
	keyIDLen = 36
	nonceLen = 12
	tagLen   = 16
)

var errBadBlob = errors.New("ciphertext blob is not valid")

func seal(keyID string, secret []byte, aad, plaintext []byte) (string, error) {
	if len(keyID) != keyIDLen {
		return "", fmt.Errorf("key ID %q is not a 36-character UUID", keyID)
	}
	aead, err := newAEAD(secret)
	if err != nil {
		return "", err
	}
	out := make([]byte, 0, keyIDLen+nonceLen+len(plaintext)+tagLen)
	out = append(out, keyID...)
	nonce := make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("failed to generate a nonce: %w", err)
	}
	out = append(out, nonce...)
	out = aead.Seal(out, nonce, plaintext, additionalData(keyID, aad))
	return base64.StdEncoding.EncodeToString(out), nil
}

// blobKeyID returns the key ID a blob names, without checking anything else.
func blobKeyID(blob string) (string, []byte, error) {
	raw, err := base64.StdEncoding.DecodeString(blob)
	if err != nil || len(raw) < keyIDLen+nonceLen+tagLen {
		return "", nil, errBadBlob
	}
	return string(raw[:keyIDLen]), raw, nil
}

func open(secret []byte, raw []byte, aad []byte) ([]byte, error) {
	aead, err := newAEAD(secret)
	if err != nil {
		return nil, err
	}
	keyID := string(raw[:keyIDLen])
	nonce := raw[keyIDLen : keyIDLen+nonceLen]
	pt, err := aead.Open(nil, nonce, raw[keyIDLen+nonceLen:], additionalData(keyID, aad))
	if err != nil {
		return nil, errBadBlob
	}
	return pt, nil
}

// additionalData binds the blob to its key and to the encryption context, so
// a blob whose key ID was swapped, or a wrong context, fails to open.
func additionalData(keyID string, encryptionContext []byte) []byte {
	ad := make([]byte, 0, len(keyID)+len(encryptionContext))
	ad = append(ad, keyID...)
	return append(ad, encryptionContext...)
}

func newAEAD(secret []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, fmt.Errorf("failed to set up AES: %w", err)
	}
	return cipher.NewGCM(block)
}
