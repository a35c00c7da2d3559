package vault

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Key sizes accepted for imported keys. Generated keys are 2048, 3072 or
// 4096 bits.
const (
	minRSABits = 1024
	maxRSABits = 8192
)

// Fingerprint returns the short fingerprint of an RSA public key: the first
// 10 bytes of SHA-256 over its PKIX DER encoding, as five groups of four hex
// digits ("3F9A-21C4-88B0-1D2E-55AA"). A key pair and a colleague's copy of
// its public half have the same fingerprint.
func Fingerprint(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Only a nil or malformed key fails here; callers validated theirs.
		return ""
	}
	return fingerprintOf(der)
}

// KMSFingerprint is the fingerprint of a KMS key: the same format over
// "kms:<region>:<key id>", since KMS keys have no public half.
func KMSFingerprint(region, keyID string) string {
	return fingerprintOf([]byte("kms:" + region + ":" + keyID))
}

func fingerprintOf(b []byte) string {
	sum := sha256.Sum256(b)
	h := strings.ToUpper(hex.EncodeToString(sum[:10]))
	return h[0:4] + "-" + h[4:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20]
}

// parsePrivateKeyPEM reads an unencrypted PKCS#1 or PKCS#8 RSA private key.
func parsePrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, err := onePEM(data)
	if err != nil {
		return nil, err
	}
	if block.Headers["Proc-Type"] != "" || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, errors.New("the private key file is protected with a password; remove the password first (for example: openssl pkey -in key.pem -out plain.pem)")
	}
	var priv *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("failed to read the PKCS#1 private key: %w", err)
		}
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("failed to read the PKCS#8 private key: %w", err)
		}
		var ok bool
		if priv, ok = k.(*rsa.PrivateKey); !ok {
			return nil, fmt.Errorf("the private key is a %s key; only RSA keys work with OSS client-side encryption", keyTypeName(k))
		}
	case "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY":
		return nil, fmt.Errorf("the file holds a %q; only RSA keys in PEM (PKCS#1 or PKCS#8) work with OSS client-side encryption", block.Type)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, fmt.Errorf("the file holds a %q, not a private key (a colleague's public key is added with \"key add-public\")", block.Type)
	default:
		return nil, fmt.Errorf("the file holds a %q, not an RSA private key", block.Type)
	}
	if err := checkRSASize(&priv.PublicKey); err != nil {
		return nil, err
	}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("the private key is not a valid RSA key: %w", err)
	}
	return priv, nil
}

// parsePublicKeyPEM reads a PKIX ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC
// KEY") RSA public key.
func parsePublicKeyPEM(data []byte) (*rsa.PublicKey, error) {
	block, err := onePEM(data)
	if err != nil {
		return nil, err
	}
	var pub *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("failed to read the public key: %w", err)
		}
		var ok bool
		if pub, ok = k.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("the public key is a %s key; only RSA keys work with OSS client-side encryption", keyTypeName(k))
		}
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("failed to read the PKCS#1 public key: %w", err)
		}
	case "RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the file holds a private key; ask your colleague for the public half (\"ossvault key export-public\"), or import your own key with \"key import\"")
	default:
		return nil, fmt.Errorf("the file holds a %q, not an RSA public key", block.Type)
	}
	if err := checkRSASize(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

func onePEM(data []byte) (*pem.Block, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("the file is not a PEM key (it should start with a line like -----BEGIN PUBLIC KEY-----)")
	}
	return block, nil
}

func keyTypeName(k any) string {
	switch fmt.Sprintf("%T", k) {
	case "*ecdsa.PrivateKey", "*ecdsa.PublicKey", "*ecdh.PrivateKey", "*ecdh.PublicKey":
		return "elliptic-curve"
	case "ed25519.PrivateKey", "ed25519.PublicKey":
		return "Ed25519"
	default:
		return "non-RSA"
	}
}

func checkRSASize(pub *rsa.PublicKey) error {
	bits := pub.N.BitLen()
	switch {
	case bits < minRSABits:
		return fmt.Errorf("the RSA key has only %d bits; at least %d are needed", bits, minRSABits)
	case bits > maxRSABits:
		return fmt.Errorf("the RSA key has %d bits; at most %d are supported", bits, maxRSABits)
	case pub.E < 3 || pub.E%2 == 0:
		return errors.New("the RSA key has an invalid public exponent")
	}
	return nil
}

// compactKey is how a private key is kept in the keychain: its public
// exponent and primes. Everything else follows from them, and this fits one
// keychain entry on every platform up to 8192 bits (PKCS#8 of a 4096-bit key
// does not fit Windows' 2560 bytes).
type compactKey struct {
	E      int
	Primes []*big.Int
}

const compactKeyPrefix = "rsa-primes-v1:"

func encodePrivateKey(priv *rsa.PrivateKey) (string, error) {
	der, err := asn1.Marshal(compactKey{E: priv.E, Primes: priv.Primes})
	if err != nil {
		return "", fmt.Errorf("failed to encode the private key: %w", err)
	}
	return compactKeyPrefix + base64.StdEncoding.EncodeToString(der), nil
}

var errDamagedKey = errors.New("the private key in the system keychain is damaged")

func decodePrivateKey(s string) (*rsa.PrivateKey, error) {
	b64, ok := strings.CutPrefix(s, compactKeyPrefix)
	if !ok {
		return nil, errDamagedKey
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errDamagedKey
	}
	var ck compactKey
	if rest, err := asn1.Unmarshal(der, &ck); err != nil || len(rest) > 0 || len(ck.Primes) < 2 || ck.E < 3 {
		return nil, errDamagedKey
	}
	one := big.NewInt(1)
	n := big.NewInt(1)
	lambda := big.NewInt(1)
	for _, p := range ck.Primes {
		if p.Sign() <= 0 {
			return nil, errDamagedKey
		}
		n.Mul(n, p)
		pm1 := new(big.Int).Sub(p, one)
		g := new(big.Int).GCD(nil, nil, lambda, pm1)
		lambda.Div(lambda.Mul(lambda, pm1), g)
	}
	d := new(big.Int).ModInverse(big.NewInt(int64(ck.E)), lambda)
	if d == nil {
		return nil, errDamagedKey
	}
	priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: ck.E}, D: d, Primes: ck.Primes}
	if err := priv.Validate(); err != nil {
		return nil, errDamagedKey
	}
	priv.Precompute()
	return priv, nil
}

func marshalPublicPEM(pub *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("failed to encode the public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
