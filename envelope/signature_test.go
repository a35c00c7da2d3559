package envelope

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testSignTime = time.Date(2026, 3, 14, 15, 9, 26, 535, time.UTC)

func testSigningKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// signedObject seals, binds, sums and signs a small object as the
// uploader does.
func signedObject(t testing.TB, priv ed25519.PrivateKey, bucket, key string, size int) sealed {
	t.Helper()
	rsaKey := sharedTestKey(t)
	e, k, err := Seal(context.Background(), NewRSAWrapper(&rsaKey.PublicKey, MatDesc{"ossvault-key": "t"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, size)
	rng := rand.New(rand.NewPCG(uint64(size), 2))
	for i := range plain {
		plain[i] = byte(rng.Uint32())
	}
	e.UnencryptedLength = int64(size)
	if err := e.SetWriter(priv.Public().(ed25519.PublicKey), bucket, key, testSignTime); err != nil {
		t.Fatal(err)
	}
	if err := Sum(context.Background(), e, k, bytes.NewReader(plain), int64(size), 2); err != nil {
		t.Fatal(err)
	}
	if e.Integrity.Alg != MACAlgSigned {
		t.Fatalf("Sum wrote %s for an object to be signed", e.Integrity.Alg)
	}
	if err := e.Sign(priv); err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, size)
	k.XORKeyStreamAt(ct, plain, 0)
	return sealed{meta: e.Meta(), ct: ct, plain: plain, k: k, chunk: DefaultChunkSize}
}

func TestSignatureRoundTrip(t *testing.T) {
	priv := testSigningKey(7)
	key := "Reports/2026 Q1/payroll €.csv\x1b[2J\n%41"
	o := signedObject(t, priv, "bkt", key, 3000)
	e, err := ParseMeta(o.meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CheckSignature(); err != nil || !e.Signed() {
		t.Fatalf("CheckSignature: %v (signed %v)", err, e.Signed())
	}
	if !bytes.Equal(e.Signer, priv.Public().(ed25519.PublicKey)) || e.UploadedBucket != "bkt" || e.UploadedKey != key ||
		!e.UploadedAt.Equal(testSignTime.Truncate(time.Second)) || e.UploadedAs() != "oss://bkt/"+key {
		t.Fatalf("parsed writer fields differ: %+v", e)
	}
	if v := o.meta[HeaderUploadedAs]; strings.ContainsAny(v, " \x1b\n€") {
		t.Fatalf("uploaded-as %q is not header-safe", v)
	}
	if st, err := readBack(t, o.meta, o.ct, o.k); st != Verified || err != nil {
		t.Fatalf("signed object reads back %v, %v", st, err)
	}
}

// Every way of removing, mixing or changing the signature fails, matching
// ErrBadSignature and ErrIntegrity, in every reader.
func TestSignatureTampering(t *testing.T) {
	priv := testSigningKey(7)
	o := signedObject(t, priv, "bkt", "pay.csv", 2000)
	other := signedObject(t, testSigningKey(9), "bkt", "pay.csv", 2000)
	strip := func(m map[string]string, names ...string) {
		for _, n := range names {
			delete(m, n)
		}
	}
	all := []string{HeaderSigner, HeaderSigAlg, HeaderUploadedAs, HeaderUploadedAt, HeaderSig}
	for _, tc := range []struct {
		name   string
		change func(m map[string]string)
	}{
		{"every signature header removed", func(m map[string]string) { strip(m, all...) }},
		{"signature removed", func(m map[string]string) { strip(m, HeaderSig) }},
		{"signer removed", func(m map[string]string) { strip(m, HeaderSigner) }},
		{"name removed", func(m map[string]string) { strip(m, HeaderUploadedAs) }},
		{"time removed", func(m map[string]string) { strip(m, HeaderUploadedAt) }},
		{"algorithm removed", func(m map[string]string) { strip(m, HeaderSigAlg) }},
		{"signature bit flipped", func(m map[string]string) { m[HeaderSig] = flip(m[HeaderSig]) }},
		{"other name", func(m map[string]string) { m[HeaderUploadedAs] = "oss://bkt/bob.csv" }},
		{"other bucket", func(m map[string]string) { m[HeaderUploadedAs] = "oss://bkt2/pay.csv" }},
		{"other time", func(m map[string]string) { m[HeaderUploadedAt] = "2026-03-14T15:09:27Z" }},
		{"other signer", func(m map[string]string) { m[HeaderSigner] = other.meta[HeaderSigner] }},
		{"other signer and signature", func(m map[string]string) {
			m[HeaderSigner], m[HeaderSig] = other.meta[HeaderSigner], other.meta[HeaderSig]
		}},
		{"unknown algorithm", func(m map[string]string) { m[HeaderSigAlg] = "ED25519-v9" }},
		{"relabelled as unsigned", func(m map[string]string) { strip(m, all...); m[HeaderMACAlg] = MACAlg }},
		{"relabelled, signature kept", func(m map[string]string) { m[HeaderMACAlg] = MACAlg }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := make(map[string]string, len(o.meta))
			for k, v := range o.meta {
				m[k] = v
			}
			tc.change(m)
			st, err := readBack(t, m, o.ct, o.k)
			if st != Failed || !errors.Is(err, ErrIntegrity) {
				t.Fatalf("read back %v, %v; want Failed", st, err)
			}
			e, perr := ParseMeta(m)
			if perr != nil {
				t.Fatal(perr)
			}
			if tc.name != "relabelled as unsigned" {
				if err := e.RequireIntegrity(); !errors.Is(err, ErrBadSignature) || !errors.Is(err, ErrIntegrity) {
					t.Fatalf("RequireIntegrity: %v", err)
				}
			}
		})
	}
}

func flip(b64 string) string {
	b, _ := base64.StdEncoding.DecodeString(b64)
	b[10] ^= 0x20
	return base64.StdEncoding.EncodeToString(b)
}

// Objects of earlier versions (a v2 MAC, no signature) still verify and
// read as not signed.
func TestUnsignedObjectsStillRead(t *testing.T) {
	o := sealObject(t, 5000, 1024, 2)
	e, err := ParseMeta(o.meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CheckSignature(); err != nil || e.Signed() {
		t.Fatalf("v2 object: CheckSignature %v, signed %v", err, e.Signed())
	}
	if st, err := readBack(t, o.meta, o.ct, o.k); st != Verified || err != nil {
		t.Fatalf("v2 object reads %v, %v", st, err)
	}
}

func TestSignRefuses(t *testing.T) {
	priv := testSigningKey(1)
	o := sealObject(t, 100, 32, 1)
	e, _ := ParseMeta(o.meta)
	if err := e.Sign(priv); err == nil {
		t.Fatal("signed an object with no writer set")
	}
	if err := e.SetWriter(priv.Public().(ed25519.PublicKey), "bkt", "k", testSignTime); err != nil {
		t.Fatal(err)
	}
	if err := e.Sign(priv); err == nil {
		t.Fatal("signed a v2 MAC")
	}
	e.Integrity.Alg = MACAlgSigned
	if err := e.Sign(testSigningKey(2)); err == nil {
		t.Fatal("signed with a key other than the recorded writer's")
	}
	for _, bad := range [][2]string{{"B", "k"}, {"bkt", ""}, {"-bk", "k"}, {"bkt/x", "k"}} {
		if err := e.SetWriter(priv.Public().(ed25519.PublicKey), bad[0], bad[1], testSignTime); err == nil {
			t.Errorf("SetWriter(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestUploadedAsEncoding(t *testing.T) {
	for _, key := range []string{"a", "a/b/c.txt", "with space", "100%", "üñí/€/日本", "\x00\x1b[31m\r\n", "-._~", "a%2Fb", string([]byte{0xff, 0xfe})} {
		s := EncodeUploadedAs("my-bucket", key)
		for i := 0; i < len(s); i++ {
			if s[i] < 0x21 || s[i] > 0x7e {
				t.Fatalf("%q encodes to %q with byte %#x", key, s, s[i])
			}
		}
		b, k, err := ParseUploadedAs(s)
		if err != nil || b != "my-bucket" || k != key {
			t.Fatalf("%q -> %q -> %q %q %v", key, s, b, k, err)
		}
	}
	for _, bad := range []string{"", "oss://", "oss://bkt", "oss://bkt/", "s3://bkt/k", "oss://BKT/k", "oss://bkt/a b", "oss://bkt/%4", "oss://bkt/%zz", "oss://bkt/ü", "oss://b/k"} {
		if _, _, err := ParseUploadedAs(bad); err == nil {
			t.Errorf("ParseUploadedAs(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"2026-03-14T15:09:26+08:00", "2026-03-14T15:09:26.5Z", "2026-03-14 15:09:26Z", "2026-02-30T00:00:00Z", ""} {
		if _, err := ParseUploadedAt(bad); err == nil {
			t.Errorf("ParseUploadedAt(%q) accepted", bad)
		}
	}
}

// signatureVector is testdata/signature-v1.json: fixed inputs, the exact
// message signed and the signature (Ed25519 is deterministic).
type signatureVector struct {
	Seed       string `json:"seed_hex"`
	MACAlg     string `json:"mac_alg"`
	MAC        string `json:"mac_hex"`
	Bucket     string `json:"bucket"`
	Key        string `json:"key"`
	UploadedAt string `json:"uploaded_at"`
	Signer     string `json:"signer_base64"`
	UploadedAs string `json:"uploaded_as"`
	Message    string `json:"message_hex"`
	Sig        string `json:"sig_base64"`
}

func TestSignatureVector(t *testing.T) {
	path := filepath.Join("testdata", "signature-v1.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v signatureVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(unhex(t, v.Seed))
	at, err := ParseUploadedAt(v.UploadedAt)
	if err != nil {
		t.Fatal(err)
	}
	e := &Envelope{Integrity: &Integrity{Alg: v.MACAlg, MAC: unhex(t, v.MAC)}}
	if err := e.SetWriter(priv.Public().(ed25519.PublicKey), v.Bucket, v.Key, at); err != nil {
		t.Fatal(err)
	}
	if err := e.Sign(priv); err != nil {
		t.Fatal(err)
	}
	got := signatureVector{
		Seed: v.Seed, MACAlg: v.MACAlg, MAC: v.MAC, Bucket: v.Bucket, Key: v.Key, UploadedAt: v.UploadedAt,
		Signer:     base64.StdEncoding.EncodeToString(e.Signer),
		UploadedAs: EncodeUploadedAs(v.Bucket, v.Key),
		Message:    hex.EncodeToString(e.signedMessage()),
		Sig:        base64.StdEncoding.EncodeToString(e.Sig),
	}
	if os.Getenv("OSSVAULT_WRITE_VECTORS") == "1" {
		out, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != v {
		t.Fatalf("signature vector differs:\ngot  %+v\nwant %+v", got, v)
	}
	m := e.Meta()
	if m[HeaderSig] != v.Sig || m[HeaderSigner] != v.Signer || m[HeaderUploadedAs] != v.UploadedAs || m[HeaderUploadedAt] != v.UploadedAt || m[HeaderSigAlg] != SigAlg {
		t.Fatalf("headers differ from the vector: %v", m)
	}
	if err := e.CheckSignature(); err != nil {
		t.Fatal(err)
	}
}

// FuzzParseUploadedAs: never panics; what parses re-encodes to a value
// that parses to the same name, and every name survives encoding.
func FuzzParseUploadedAs(f *testing.F) {
	for _, s := range []string{"oss://bkt/a%20b", "oss://bkt/%E2%82%AC", "oss://my-bucket/a/b/", "oss://bkt/%", "oss://bkt//"} {
		f.Add(s, "k")
	}
	f.Fuzz(func(t *testing.T, s, key string) {
		if b, k, err := ParseUploadedAs(s); err == nil {
			b2, k2, err := ParseUploadedAs(EncodeUploadedAs(b, k))
			if err != nil || b2 != b || k2 != k {
				t.Fatalf("%q: %q %q does not survive re-encoding (%v)", s, b, k, err)
			}
		}
		if key != "" {
			b, k, err := ParseUploadedAs(EncodeUploadedAs("bkt", key))
			if err != nil || b != "bkt" || k != key {
				t.Fatalf("key %q does not survive encoding: %q %v", key, k, err)
			}
		}
		_, _ = ParseUploadedAt(s)
	})
}

// FuzzCheckSignature: signature headers in any state never panic the
// parser or the check, and a check that passes means the signature
// verifies over the fields as parsed.
func FuzzCheckSignature(f *testing.F) {
	o := signedObject(f, testSigningKey(3), "bkt", "a b.csv", 300)
	f.Add(o.meta[HeaderSigner], o.meta[HeaderSigAlg], o.meta[HeaderUploadedAs], o.meta[HeaderUploadedAt], o.meta[HeaderSig], o.meta[HeaderMACAlg])
	f.Add("", "", "", "", "", MACAlg)
	f.Add(o.meta[HeaderSigner], "", "oss://bkt/x", "", "", MACAlgSigned)
	f.Fuzz(func(t *testing.T, signer, alg, as, at, sig, macAlg string) {
		m := make(map[string]string, len(o.meta))
		for k, v := range o.meta {
			m[k] = v
		}
		for name, v := range map[string]string{HeaderSigner: signer, HeaderSigAlg: alg, HeaderUploadedAs: as, HeaderUploadedAt: at, HeaderSig: sig, HeaderMACAlg: macAlg} {
			if v == "" {
				delete(m, name)
			} else {
				m[name] = v
			}
		}
		e, err := ParseMeta(m)
		if err != nil {
			return
		}
		err = e.CheckSignature()
		if err != nil && !errors.Is(err, ErrIntegrity) {
			t.Fatalf("CheckSignature error %v does not match ErrIntegrity", err)
		}
		if err == nil && e.Signed() && !ed25519.Verify(e.Signer, e.signedMessage(), e.Sig) {
			t.Fatal("CheckSignature passed a signature that does not verify")
		}
		if err == nil && !e.Signed() && e.Integrity != nil && e.Integrity.Alg == MACAlgSigned {
			t.Fatal("an unsigned object with the signed MAC construction passed")
		}
	})
}
