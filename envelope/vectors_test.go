package envelope

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

const examplePlainMD5 = "1c71822c6c732797fa709920f1425cec"

// sdkVector is one object written by another SDK (VECTORS.md §1-3).
type sdkVector struct {
	name       string
	headerKey  string // key in headers.json
	cipherFile func(t testing.TB) []byte
	key, iv    string // DERIVED data key and counter
	ct0        string // ct[0:48]
	ct4096     string // ct[4096:4128]
	ctTail     string // ct[21808:]
	matdesc    MatDesc
}

func sdkVectors() []sdkVector {
	return []sdkVector{
		{
			name: "A-cpp", headerKey: "cpp",
			cipherFile: func(t testing.TB) []byte { return readInterop(t, "files/cpp-rsa-enc-example.jpg") },
			key:        "3e76c9c13d019b8e0356156a1dd4b285ee682c04659f058324e45d89f79708de",
			iv:         "8c3207b09a9bfa6600000000ac1992b4",
			ct0:        "2455944cf70ea2b45b07fba0ae909e64d79b3a319ba32ba041c29a44e2b811e23ea58e3e0b73a1cd49aa4391191d3622",
			ct4096:     "9eadefdab26d099d70f3f2570a8f94385765a5bca4af0a644dd13ce4bd6297e6",
			ctTail:     "c9950cd9b7ea238f633f68efccbc399d583d124b68781e3fde590dc513eb8e",
		},
		{
			name: "B-python", headerKey: "python",
			cipherFile: func(t testing.TB) []byte { return readInterop(t, "files/python-rsa-enc-example.jpg") },
			key:        "599c80c52670912ead1752b0f077a2c4fb52216e37ff1a18fe4fde98ece10b7b",
			iv:         "10706cb7468cd52e000000008771048a",
			ct0:        "be99372bc3225ad22798f06061aaa86ae43208564cb8ad175460360e3e4ec4737a54e87cb2b536afa03b782a202f5e26",
			ct4096:     "4a059a161388f51ffab04a12eff738e710a90bb682f0fae333a41cfaa174077e",
			ctTail:     "ecfaa9b9687a4353c68a9c2d6da62d513f48e19c44f0fbcac96804df9cce99",
		},
		{
			name: "C-go", headerKey: "go",
			cipherFile: func(t testing.TB) []byte { return readInterop(t, "files/go-rsa-enc-example.jpg") },
			key:        "9ac3ce2ecd271fc9c88f080d05ec40ffa6e4a4d064dd86a5e55a1594a778c878",
			iv:         "5649ca0d16946d8100000000e649d194",
			ct0:        "61da7ae878d8d10c8d082cb7582d8e0da16a1fbb99c9f128043f1dfe9d548373ab8fd3da0f35b8cb006891ade986af0e",
			ct4096:     "987eeee7e6d082ec2813e91ccdc6ae482f0bbfdd3c396f9160252f4afd25f492",
			ctTail:     "8209ea6dd07671f5ab09416742c8b0244d5df2371ba19879957822891720ab",
			matdesc:    MatDesc{"desc": "wangtw test client encryption"},
		},
	}
}

// vectorHeaders returns the published headers of a vector as an OSS
// response would carry them.
func vectorHeaders(t testing.TB, key string) http.Header {
	t.Helper()
	var all map[string]map[string]string
	if err := json.Unmarshal(readInterop(t, "headers.json"), &all); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for name, v := range all[key] {
		h.Set(MetaPrefix+name, v)
	}
	if key == "go" && h.Get(MetaPrefix+HeaderMatDesc) == "" {
		t.Fatal("headers.json lost vector C's matdesc")
	}
	return h
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func TestSDKVectors(t *testing.T) {
	priv := sharedTestKey(t)
	plain := readInterop(t, "files/example.jpg")
	if got := md5hex(plain); got != examplePlainMD5 {
		t.Fatalf("example.jpg md5 = %s", got)
	}
	for _, v := range sdkVectors() {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			ct := v.cipherFile(t)
			if got := hex.EncodeToString(ct[:48]); got != v.ct0 {
				t.Fatalf("ciphertext file does not match VECTORS.md: ct[0:48] = %s", got)
			}
			if got := hex.EncodeToString(ct[4096:4128]); got != v.ct4096 {
				t.Fatalf("ct[4096:4128] = %s", got)
			}
			if got := hex.EncodeToString(ct[21808:]); got != v.ctTail {
				t.Fatalf("ct[21808:] = %s", got)
			}
			e, err := ParseHeader(vectorHeaders(t, v.headerKey))
			if err != nil {
				t.Fatal(err)
			}
			if !e.MatDesc.Equal(v.matdesc) {
				t.Errorf("matdesc = %v, want %v", e.MatDesc, v.matdesc)
			}
			if e.Integrity != nil || e.KeyCheck != nil {
				t.Error("another SDK's object parsed with ossvault headers")
			}
			k, err := Open(context.Background(), e, NewRSAIdentity(priv))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k.Key[:]); got != v.key {
				t.Errorf("data key = %s, want %s", got, v.key)
			}
			if got := hex.EncodeToString(k.IV[:]); got != v.iv {
				t.Errorf("counter = %s, want %s", got, v.iv)
			}
			checkDecrypts(t, ct, plain, e, k)
		})
	}
}

// checkDecrypts decrypts ct whole (through the verifying reader, which
// must say Unverified for other clients' objects) and from offsets.
func checkDecrypts(t *testing.T, ct, plain []byte, e *Envelope, k *DataKey) {
	t.Helper()
	r := NewVerifyingReader(bytes.NewReader(ct), e, k)
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("whole decryption differs (md5 %s)", md5hex(got))
	}
	if s := VerifyStatus(r); s != Unverified {
		t.Errorf("status = %v, want unverified", s)
	}
	size := int64(len(ct))
	for _, off := range []int64{0, 1, 15, 16, 17, 4096, 4101, 21808, size - 1} {
		got, err := io.ReadAll(NewReader(bytes.NewReader(ct[off:]), k, off))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain[off:]) {
			t.Errorf("decryption from offset %d differs", off)
		}
	}
	// Suffix ranges: the offset comes from the response's Content-Range.
	for _, n := range []int64{1, 15, 31, 100, 4101, size} {
		start, end, total, err := ParseContentRange(fmt.Sprintf("bytes %d-%d/%d", size-n, size-1, size))
		if err != nil {
			t.Fatal(err)
		}
		if total != size || end != size-1 {
			t.Fatalf("ParseContentRange: end %d total %d", end, total)
		}
		got, _ := io.ReadAll(NewReader(bytes.NewReader(ct[start:end+1]), k, start))
		if !bytes.Equal(got, plain[size-n:]) {
			t.Errorf("suffix range bytes=-%d decrypts wrongly", n)
		}
	}
}

// TestGoSDKSampleFiles reads the originals from the Go SDK v1 module.
func TestGoSDKSampleFiles(t *testing.T) {
	priv := sharedTestKey(t)
	src := goSDKSample(t, "test-client-encryption-src.jpg")
	if got := md5hex(src); got != examplePlainMD5 {
		t.Fatalf("sample source md5 = %s", got)
	}
	for _, c := range []struct{ file, headers string }{
		{"test-client-encryption-crypto-cpp-rsa.jpg", "cpp"},
		{"test-client-encryption-crypto-python-rsa.jpg", "python"},
	} {
		t.Run(c.file, func(t *testing.T) {
			ct := goSDKSample(t, c.file)
			e, err := ParseHeader(vectorHeaders(t, c.headers))
			if err != nil {
				t.Fatal(err)
			}
			k, err := Open(context.Background(), e, NewRSAIdentity(priv))
			if err != nil {
				t.Fatal(err)
			}
			checkDecrypts(t, ct, src, e, k)
		})
	}
}

func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// The legacy vectors decrypt to 1 MiB of 'a'.
var legacyPlain = bytes.Repeat([]byte("a"), 1<<20)

func TestLegacyRSAOAEPVector(t *testing.T) {
	ct := readInterop(t, "files/deprecated_encrypted_1MB_a_rsa")
	if got := sha256hex(ct); got != "46c080d7c3fbd59960d9b837fe62bfe2561e3c3efea5025dd72c49f979b74736" {
		t.Fatalf("sha256 = %s", got)
	}
	// Names in the mixed case an HTTP client may hand over.
	h := http.Header{}
	h.Set("X-Oss-Meta-Oss-Cek-Alg", "AES/GCM/NoPadding")
	h.Set("X-Oss-Meta-Oss-Crypto-Key", "Jmurs0ZAUEhIjMr+MNZnKdQR4llzdpD6sn2ijnSrJG+W7ht2TjIYXT3XWhBIlmWtkrEY1y2l0yDGAEgpRfWtH3km8Z44VEu4G7MLo0kaikoJ/d47+7/a0tSNgd968kkrvKGPpk7sl6ad2seObc+SIcCdvlI+ojXr65Trhk5OYXA=")
	h.Set("X-Oss-Meta-Oss-Crypto-Start", "IyhJvxPZodkceJe+ISTug0rUBS/QDOnn67sc3PSOqPikEQq4mDxP8SqvSdYcoytDcloFY/GOgKWeL4kS2ga9FJKXcsVneCrla3q1KTtl45NSNn7np6tOXBkqv3TIU0ZZ58Y1XdSPmr+8TIkjtNlBtg+48fclXoAxqcTq++u2SIc=")
	h.Set("X-Oss-Meta-Oss-Wrap-Alg", "rsa")
	e, err := ParseHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Legacy {
		t.Fatal("legacy names not recognised as legacy")
	}
	// A KMS identity must pass over it; the RSA one opens it.
	k, err := Open(context.Background(), e, NewKMSIdentity(newFakeKMS()), NewRSAIdentity(sharedTestKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(k.Key[:]); got != "6476c3de88ab7ee68798184b436a5c4a1a47a6b69cfceb9c11303f607d43e9a5" {
		t.Errorf("key = %s", got)
	}
	if k.IV != [16]byte{15: 8} {
		t.Errorf("counter = %x, want the integer 8", k.IV)
	}
	checkLegacy(t, ct, k)
}

func TestLegacyKMSVector(t *testing.T) {
	ct := readInterop(t, "files/deprecated_encrypted_1MB_a_kms")
	if got := sha256hex(ct); got != "438b54371cb47e20ddc4ff71a8ab1e4272be7ce0266fd0b78be61d26c538b8b5" {
		t.Fatalf("sha256 = %s", got)
	}
	const keyBlob = "NWI4MTk0MzUtOTBlMS00NWZlLWE3NzUtNDMwNzhjODNkMGM1YVQ5bXF5eVJTTURneEJSRTNLSkVWUUQ1V3FIR3Q2QzhBQUFBQUFBQUFBRHFCZnFsR2hpems5QWZHQlFGSHFXSW9aZUlYZkNTU0lLZEQwUjFJTXRXM1p6ZzYxOVF4Vm8zR21acXdVZit5VFBsYUhyRmdFMkdsL2JUYjVzPQ=="
	const startBlob = "NWI4MTk0MzUtOTBlMS00NWZlLWE3NzUtNDMwNzhjODNkMGM1Z1I5UGpGOGplWVROS1ptOHdqSE1kZFl6V0xvVFJ4RlFBQUFBQUFBQUFBQlFuMWZaOXA3K3VpZU5NN0dqKy9OM1F3PT0="
	kms := newFakeKMS()
	// What the Python test's mock KMS returns for exactly these blobs.
	kms.known[keyBlob] = "ogO+SR1IiCiBsLxuS5tQVq/OhKQA6uaqoZQfkBcdka4="
	kms.known[startBlob] = "8"
	e, err := ParseMeta(map[string]string{
		"oss-cek-alg":      "AES/GCM/NoPadding",
		"oss-crypto-key":   keyBlob,
		"oss-crypto-start": startBlob,
		"oss-wrap-alg":     "kms",
	})
	if err != nil {
		t.Fatal(err)
	}
	k, err := Open(context.Background(), e, NewRSAIdentity(sharedTestKey(t)), NewKMSIdentity(kms))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(k.Key[:]); got != "a203be491d48882881b0bc6e4b9b5056afce84a400eae6aaa1941f90171d91ae" {
		t.Errorf("key = %s", got)
	}
	if k.IV != [16]byte{15: 8} {
		t.Errorf("counter = %x, want the integer 8", k.IV)
	}
	// The legacy header is the blob itself: one Decrypt per secret, no
	// fallback needed.
	if got := kms.calls(); got != 2 {
		t.Errorf("%d KMS calls, want 2", got)
	}
	checkLegacy(t, ct, k)
}

func checkLegacy(t *testing.T, ct []byte, k *DataKey) {
	t.Helper()
	got, err := io.ReadAll(NewReader(bytes.NewReader(ct), k, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, legacyPlain) {
		t.Fatal("legacy object does not decrypt to 1 MiB of 'a'")
	}
	for _, off := range []int64{1, 15, 17, 4101, 21808, 1<<20 - 1} {
		got := make([]byte, len(ct)-int(off))
		k.XORKeyStreamAt(got, ct[off:], off)
		if !bytes.Equal(got, legacyPlain[off:]) {
			t.Errorf("decryption from offset %d differs", off)
		}
	}
}
