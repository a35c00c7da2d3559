package envelope

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// Seal with injected randomness is repeatable: given vector A's key and
// counter as its random bytes, it reproduces the C++ SDK's object exactly.
func TestSealGoldenWithInjectedRandomness(t *testing.T) {
	priv := sharedTestKey(t)
	plain := readInterop(t, "files/example.jpg")
	want := readInterop(t, "files/cpp-rsa-enc-example.jpg")
	key := unhex(t, "3e76c9c13d019b8e0356156a1dd4b285ee682c04659f058324e45d89f79708de")
	iv := unhex(t, "8c3207b09a9bfa6600000000ac1992b4")
	rnd := append(append(bytes.Clone(key), iv[:8]...), iv[12:]...)
	e, k, err := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, nil), bytes.NewReader(rnd))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(NewReader(bytes.NewReader(plain), k, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("Seal + NewReader does not reproduce vector A")
	}
	// And the wrapped key opens again to the same data key.
	k2, err := Open(context.Background(), e, NewRSAIdentity(priv))
	if err != nil {
		t.Fatal(err)
	}
	if *k2 != *k {
		t.Fatal("Open returned a different data key")
	}
}

// Meta writes the header set of the Go and Java SDKs, plus ossvault's own.
func TestMetaMatchesSDKHeaders(t *testing.T) {
	priv := sharedTestKey(t)
	for _, c := range []struct {
		name    string
		md      MatDesc
		wantMD  string
		extra   func(e *Envelope)
		wantSet []string
	}{
		{name: "no matdesc", wantSet: []string{HeaderKey, HeaderStart, HeaderCEKAlg, HeaderWrapAlg, HeaderKeyCheck}},
		{
			name: "matdesc", md: MatDesc{"tag": "v", "a": "<&>", "z": "é"}, wantMD: `{"a":"\u003c\u0026\u003e","tag":"v","z":"é"}`,
			wantSet: []string{HeaderKey, HeaderStart, HeaderCEKAlg, HeaderWrapAlg, HeaderMatDesc, HeaderKeyCheck},
		},
		{
			name: "multipart", extra: func(e *Envelope) { e.DataSize, e.PartSize, e.UnencryptedLength = 1000, 512, 1000 },
			wantSet: []string{HeaderKey, HeaderStart, HeaderCEKAlg, HeaderWrapAlg, HeaderKeyCheck, HeaderDataSize, HeaderPartSize, HeaderUnencryptedLength},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, k, err := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, c.md), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k.IV[8:12], []byte{0, 0, 0, 0}) {
				t.Errorf("iv bytes 8..11 = %x", k.IV[8:12])
			}
			if c.extra != nil {
				c.extra(e)
			}
			m := e.Meta()
			got := slices.Sorted(maps.Keys(m))
			want := slices.Sorted(slices.Values(c.wantSet))
			if !slices.Equal(got, want) {
				t.Fatalf("headers %v, want %v", got, want)
			}
			for name := range m {
				if name != strings.ToLower(name) {
					t.Errorf("header %q not lower case", name)
				}
			}
			if m[HeaderCEKAlg] != "AES/CTR/NoPadding" || m[HeaderWrapAlg] != "RSA/NONE/PKCS1Padding" {
				t.Errorf("algorithms %q %q", m[HeaderCEKAlg], m[HeaderWrapAlg])
			}
			// Standard base64 with padding of the modulus-length ciphertext.
			for _, name := range []string{HeaderKey, HeaderStart} {
				v := m[name]
				if len(v) != 172 || !strings.HasSuffix(v, "=") {
					t.Errorf("%s = %q, want 172 chars of padded base64", name, v)
				}
				raw, err := base64.StdEncoding.Strict().DecodeString(v)
				if err != nil || len(raw) != priv.Size() {
					t.Errorf("%s: not strict standard base64 of %d bytes: %v", name, priv.Size(), err)
				}
			}
			if c.wantMD != "" && m[HeaderMatDesc] != c.wantMD {
				t.Errorf("matdesc %q, want %q", m[HeaderMatDesc], c.wantMD)
			}
			if c.name == "multipart" && (m[HeaderDataSize] != "1000" || m[HeaderPartSize] != "512") {
				t.Errorf("data-size %q part-size %q", m[HeaderDataSize], m[HeaderPartSize])
			}
			// Two objects never share a key or counter.
			e2, k2, _ := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, c.md), nil)
			if k2.Key == k.Key || k2.IV == k.IV || bytes.Equal(e2.WrappedKey, e.WrappedKey) {
				t.Error("Seal repeated a data key or counter")
			}
		})
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	ctx := context.Background()
	priv := sharedTestKey(t)
	other, err := rsa.GenerateKey(rand.Reader, 1024) // same modulus size as priv
	if err != nil {
		t.Fatal(err)
	}
	big, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	kms := newFakeKMS()
	cases := []struct {
		name string
		w    Wrapper
		ids  []Identity
	}{
		{"rsa", NewRSAWrapper(&priv.PublicKey, MatDesc{"desc": "finance"}), []Identity{NewRSAIdentity(priv)}},
		{"rsa after wrong keys", NewRSAWrapper(&priv.PublicKey, nil), []Identity{NewKMSIdentity(kms), NewRSAIdentity(big), NewRSAIdentity(other), NewRSAIdentity(priv)}},
		{"kms", NewKMSWrapper(kms, "key-1", MatDesc{"k": "v"}), []Identity{NewRSAIdentity(priv), NewKMSIdentity(kms)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, k, err := Seal(ctx, c.w, nil)
			if err != nil {
				t.Fatal(err)
			}
			e2, err := ParseMeta(e.Meta())
			if err != nil {
				t.Fatal(err)
			}
			k2, err := Open(ctx, e2, c.ids...)
			if err != nil {
				t.Fatal(err)
			}
			if *k2 != *k {
				t.Fatal("round trip changed the data key")
			}
			plain := []byte(strings.Repeat("round trip ", 1000))
			var ct bytes.Buffer
			if _, err := NewWriter(&ct, k, 0).Write(plain); err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(NewReader(&ct, k2, 0))
			if !bytes.Equal(got, plain) {
				t.Fatal("round trip changed the content")
			}
		})
	}
}

func TestKMSWrapperHeaderIsTheBlob(t *testing.T) {
	kms := newFakeKMS()
	e, _, err := Seal(context.Background(), NewKMSWrapper(kms, "key-1", nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := e.Meta()
	if m[HeaderWrapAlg] != "KMS/ALICLOUD" {
		t.Errorf("wrap-alg %q", m[HeaderWrapAlg])
	}
	for _, name := range []string{HeaderKey, HeaderStart} {
		if _, ok := kms.known[m[name]]; !ok {
			t.Errorf("%s is not the CiphertextBlob KMS returned", name)
		}
	}
	kms.fail = errors.New("kms down")
	if _, _, err := Seal(context.Background(), NewKMSWrapper(kms, "key-1", nil), nil); err == nil || !strings.Contains(err.Error(), "kms down") {
		t.Errorf("KMS failure not reported: %v", err)
	}
}

// Objects written by oss2 with KMS store base64 of the CiphertextBlob text.
func TestKMSPythonForm(t *testing.T) {
	ctx := context.Background()
	kms := newFakeKMS()
	k, _ := NewDataKey(nil)
	keyBlob, _ := kms.Encrypt(ctx, "key-1", base64.StdEncoding.EncodeToString(k.Key[:]))
	ivBlob, _ := kms.Encrypt(ctx, "key-1", base64.StdEncoding.EncodeToString(k.IV[:]))
	e, err := ParseMeta(map[string]string{
		HeaderKey:     base64.StdEncoding.EncodeToString([]byte(keyBlob)),
		HeaderStart:   base64.StdEncoding.EncodeToString([]byte(ivBlob)),
		HeaderCEKAlg:  CEKAlgAESCTR,
		HeaderWrapAlg: WrapKMS,
		HeaderMatDesc: `{"x": "y"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !e.MatDesc.Equal(MatDesc{"x": "y"}) || e.RawMatDesc != `{"x": "y"}` {
		t.Errorf("Python matdesc parsed as %v / %q", e.MatDesc, e.RawMatDesc)
	}
	before := kms.calls()
	got, err := Open(ctx, e, NewKMSIdentity(kms))
	if err != nil {
		t.Fatal(err)
	}
	if *got != *k {
		t.Fatal("wrong data key from the Python form")
	}
	// Go/Java form first (rejected), then the Python form; the IV goes
	// straight to the form that worked.
	if n := kms.calls() - before; n != 3 {
		t.Errorf("%d KMS calls, want 3", n)
	}

	// A KMS error that is not a rejection of the blob stops Open.
	kms.fail = errors.New("network unreachable")
	if _, err := Open(ctx, e, NewKMSIdentity(kms), NewRSAIdentity(sharedTestKey(t))); err == nil || errors.Is(err, ErrNoKey) {
		t.Errorf("Open = %v, want the KMS failure", err)
	}
	// A rejection wrapping ErrIncorrectIdentity moves on to the next identity.
	kms.fail = ErrIncorrectIdentity
	_, err = Open(ctx, e, NewKMSIdentity(kms))
	var nk *NoKeyError
	if !errors.As(err, &nk) || nk.MatDesc != `{"x": "y"}` || nk.WrapAlg != WrapKMS {
		t.Errorf("Open = %v, want *NoKeyError naming the matdesc", err)
	}
}

func TestOpenNoKey(t *testing.T) {
	ctx := context.Background()
	priv := sharedTestKey(t)
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := Seal(ctx, NewRSAWrapper(&priv.PublicKey, MatDesc{"desc": "finance"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ids := range [][]Identity{nil, {NewRSAIdentity(other)}, {NewKMSIdentity(newFakeKMS()), NewRSAIdentity(other)}} {
		_, err := Open(ctx, e, ids...)
		if !errors.Is(err, ErrNoKey) {
			t.Fatalf("Open = %v, want ErrNoKey", err)
		}
		var nk *NoKeyError
		if !errors.As(err, &nk) || nk.MatDesc != `{"desc":"finance"}` {
			t.Fatalf("NoKeyError = %+v", nk)
		}
		if !strings.Contains(err.Error(), `{"desc":"finance"}`) {
			t.Errorf("message %q does not name the matdesc", err)
		}
	}
	// Without the key check (as in another client's object), a wrong key
	// of another modulus size is still recognised.
	m := e.Meta()
	delete(m, HeaderKeyCheck)
	a, err := ParseMeta(m)
	if err != nil {
		t.Fatal(err)
	}
	big, _ := rsa.GenerateKey(rand.Reader, 2048)
	if _, err := Open(ctx, a, NewRSAIdentity(big)); !errors.Is(err, ErrNoKey) {
		t.Errorf("2048-bit key on a 1024-bit object: %v", err)
	}
	if _, err := Open(ctx, nil, NewRSAIdentity(priv)); !errors.Is(err, ErrNotEncrypted) {
		t.Errorf("Open(nil) = %v", err)
	}
}

// foreignRSAEnvelope seals a data key for priv's public half and strips the
// ossvault key check, as an object written by another client comes.
func foreignRSAEnvelope(t *testing.T, priv *rsa.PrivateKey) (*Envelope, *DataKey) {
	t.Helper()
	e, k, err := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := e.Meta()
	delete(m, HeaderKeyCheck)
	foreign, err := ParseMeta(m)
	if err != nil {
		t.Fatal(err)
	}
	return foreign, k
}

// A wrapped key that is, as a number, not below the modulus cannot have been
// made for that key. It must read as "not this key", so Open moves on to the
// next key or reports ErrNoKey (exit 3) rather than a raw RSA error.
func TestRSAWrappedKeyAboveModulusIsIncorrectIdentity(t *testing.T) {
	ctx := context.Background()
	priv := sharedTestKey(t)
	a, k := foreignRSAEnvelope(t, priv)
	for _, field := range []*[]byte{&a.WrappedKey, &a.WrappedIV} {
		saved := *field
		*field = bytes.Repeat([]byte{0xff}, priv.Size())
		_, err := Open(ctx, a, NewRSAIdentity(priv))
		if !errors.Is(err, ErrNoKey) {
			t.Errorf("ciphertext above the modulus: Open = %v, want ErrNoKey", err)
		}
		*field = saved
	}
	k2, err := Open(ctx, a, NewRSAIdentity(priv))
	if err != nil || *k2 != *k {
		t.Fatalf("restored envelope does not open: %v", err)
	}
}

// Another client's object (no key check, no matdesc) tried with a wrong key
// of the same size first: the oracle-free unwrap yields random bytes, which
// must be told apart from the right key by the counter block's form.
func TestWrongSameSizeKeyWithoutKeyCheck(t *testing.T) {
	ctx := context.Background()
	priv := sharedTestKey(t)
	foreign, k := foreignRSAEnvelope(t, priv)
	for i := 0; i < 8; i++ {
		wrong, err := rsa.GenerateKey(rand.Reader, priv.N.BitLen())
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(ctx, foreign, NewRSAIdentity(wrong), NewRSAIdentity(priv))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if *got != *k {
			t.Fatal("a wrong key of the same size was taken for the right one")
		}
		if _, err := Open(ctx, foreign, NewRSAIdentity(wrong)); !errors.Is(err, ErrNoKey) {
			t.Fatalf("wrong key alone: Open = %v, want ErrNoKey", err)
		}
	}
}
