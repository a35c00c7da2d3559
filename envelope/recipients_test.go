package envelope

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	recipientKeysOnce sync.Once
	recipientKeys     []*rsa.PrivateKey
)

// threeKeys are Alice's (the shared test key), Bob's and Carol's.
func threeKeys(t testing.TB) []*rsa.PrivateKey {
	t.Helper()
	recipientKeysOnce.Do(func() {
		recipientKeys = []*rsa.PrivateKey{sharedTestKey(t)}
		for range 2 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			recipientKeys = append(recipientKeys, k)
		}
	})
	return recipientKeys
}

var recipientNames = []string{"alice", "bob", "carol"}

func wrappersFor(keys []*rsa.PrivateKey) []Wrapper {
	ws := make([]Wrapper, len(keys))
	for i, k := range keys {
		ws[i] = NewRSAWrapper(&k.PublicKey, MatDesc{MatDescKeyName: recipientNames[i%len(recipientNames)]})
	}
	return ws
}

// multiObject seals a signed object for every key of keys, as the
// uploader does.
func multiObject(t testing.TB, keys []*rsa.PrivateKey, size int) sealed {
	t.Helper()
	e, k, err := SealFor(context.Background(), wrappersFor(keys), nil)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, size)
	rng := mrand.New(mrand.NewPCG(uint64(size), 3))
	for i := range plain {
		plain[i] = byte(rng.Uint32())
	}
	e.UnencryptedLength = int64(size)
	priv := testSigningKey(7)
	if err := e.SetWriter(priv.Public().(ed25519.PublicKey), "bkt", "pay.csv", testSignTime); err != nil {
		t.Fatal(err)
	}
	if err := Sum(context.Background(), e, k, bytes.NewReader(plain), int64(size), 2); err != nil {
		t.Fatal(err)
	}
	if err := e.Sign(priv); err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, size)
	k.XORKeyStreamAt(ct, plain, 0)
	return sealed{meta: e.Meta(), ct: ct, plain: plain, k: k, chunk: DefaultChunkSize}
}

// One data key, wrapped once per recipient: each recipient's key alone
// opens the object and verifies it, the first wrap sits in the SDK
// headers, and a key that is none of them does not open it.
func TestSeveralRecipients(t *testing.T) {
	ctx := context.Background()
	keys := threeKeys(t)
	o := multiObject(t, keys, 3000)
	e, err := ParseMeta(o.meta)
	if err != nil {
		t.Fatal(err)
	}
	if e.Integrity.Alg != MACAlgRecipients || len(e.Recipients) != 2 {
		t.Fatalf("alg %s with %d extra recipients", e.Integrity.Alg, len(e.Recipients))
	}
	wraps := e.Wraps()
	for i, w := range wraps {
		if w.WrapAlg != WrapRSA || w.MatDesc[MatDescKeyName] != recipientNames[i] {
			t.Fatalf("wrap %d: %s %v", i, w.WrapAlg, w.MatDesc)
		}
	}
	if e.MatDesc[MatDescKeyName] != "alice" || o.meta[HeaderKey] == "" {
		t.Fatal("the first recipient is not the SDK headers' wrap")
	}
	for i, k := range keys {
		for _, tc := range []struct {
			name string
			id   Identity
		}{
			{"any wrap", NewRSAIdentity(k)},
			{"its own wrap", OnlyWrap(NewRSAIdentity(k), i)},
		} {
			dk, err := Open(ctx, e, tc.id)
			if err != nil || *dk != *o.k {
				t.Fatalf("%s (%s): %v", recipientNames[i], tc.name, err)
			}
		}
		if i > 0 {
			if _, err := Open(ctx, e, OnlyWrap(NewRSAIdentity(k), 0)); !errors.Is(err, ErrNoKey) {
				t.Fatalf("%s on alice's wrap: %v", recipientNames[i], err)
			}
		}
	}
	dave, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, e, NewRSAIdentity(dave))
	var nk *NoKeyError
	if !errors.As(err, &nk) || len(nk.Others) != 2 || !strings.Contains(err.Error(), `"bob"`) {
		t.Fatalf("dave: %v", err)
	}
	if st, err := readBack(t, o.meta, o.ct, o.k); st != Verified || err != nil {
		t.Fatalf("read back %v, %v", st, err)
	}
	if err := e.CheckMetaSize(); err != nil {
		t.Fatal(err)
	}
}

// Every change to the recipients fails: the MAC binds the header, and the
// header goes with its construction only.
func TestRecipientsTampering(t *testing.T) {
	keys := threeKeys(t)
	o := multiObject(t, keys, 2000)
	single := signedObject(t, testSigningKey(7), "bkt", "pay.csv", 2000)
	for _, tc := range []struct {
		name   string
		base   sealed
		change func(m map[string]string)
	}{
		{"a byte of a wrapped key flipped", o, func(m map[string]string) {
			b, _ := base64.StdEncoding.DecodeString(m[HeaderRecipients])
			b[200] ^= 1
			m[HeaderRecipients] = base64.StdEncoding.EncodeToString(b)
		}},
		{"a matdesc changed", o, func(m map[string]string) {
			b, _ := base64.StdEncoding.DecodeString(m[HeaderRecipients])
			i := bytes.Index(b, []byte("carol"))
			copy(b[i:], "karol")
			m[HeaderRecipients] = base64.StdEncoding.EncodeToString(b)
		}},
		{"header removed", o, func(m map[string]string) { delete(m, HeaderRecipients) }},
		{"header removed, relabelled v3", o, func(m map[string]string) {
			delete(m, HeaderRecipients)
			m[HeaderMACAlg] = MACAlgSigned
		}},
		{"relabelled v3, header kept", o, func(m map[string]string) { m[HeaderMACAlg] = MACAlgSigned }},
		{"added to a single-recipient object", single, func(m map[string]string) { m[HeaderRecipients] = o.meta[HeaderRecipients] }},
		{"signature removed", o, func(m map[string]string) {
			for _, n := range []string{HeaderSigner, HeaderSigAlg, HeaderUploadedAs, HeaderUploadedAt, HeaderSig} {
				delete(m, n)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := make(map[string]string, len(tc.base.meta))
			for k, v := range tc.base.meta {
				m[k] = v
			}
			tc.change(m)
			st, err := readBack(t, m, tc.base.ct, tc.base.k)
			if st != Failed || !errors.Is(err, ErrIntegrity) {
				t.Fatalf("read back %v, %v; want Failed", st, err)
			}
		})
	}
}

func TestRecipientsHeaderParse(t *testing.T) {
	keys := threeKeys(t)
	o := multiObject(t, keys, 100)
	raw, _ := base64.StdEncoding.DecodeString(o.meta[HeaderRecipients])
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{2}, raw[1:]...)},
		{"no recipient", []byte{1, 0}},
		{"count too high", append([]byte{1, 3}, raw[2:]...)},
		{"truncated", raw[:len(raw)-1]},
		{"trailing byte", append(bytes.Clone(raw), 0)},
		{"unknown wrap alg", encodeRecipients([]Recipient{{WrapAlg: "RSA/NONE/OAEPWithSHA-1AndMGF1Padding", WrappedKey: []byte{1}, WrappedIV: []byte{1}}})},
		{"empty wrapped key", encodeRecipients([]Recipient{{WrapAlg: WrapRSA, WrappedIV: []byte{1}}})},
		{"matdesc not compact", encodeRecipients([]Recipient{{WrapAlg: WrapRSA, RawMatDesc: `{"a": "b"}`, WrappedKey: []byte{1}, WrappedIV: []byte{1}}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := make(map[string]string, len(o.meta))
			for k, v := range o.meta {
				m[k] = v
			}
			m[HeaderRecipients] = base64.StdEncoding.EncodeToString(tc.b)
			_, err := ParseMeta(m)
			var he *HeaderError
			if !errors.As(err, &he) || he.Name != HeaderRecipients || !errors.Is(err, ErrIntegrity) {
				t.Fatalf("ParseMeta: %v", err)
			}
		})
	}
}

// An object for several recipients is always signed: unsigned, it would
// lose its signature unnoticed.
func TestRecipientsNeedWriter(t *testing.T) {
	keys := threeKeys(t)
	e, k, err := SealFor(context.Background(), wrappersFor(keys[:2]), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Sum(context.Background(), e, k, bytes.NewReader(nil), 0, 1); err == nil {
		t.Fatal("Sum accepted an unsigned object for two recipients")
	}
	if _, err := NewSummer(e, k, 0, DefaultChunkSize); err == nil {
		t.Fatal("NewSummer accepted an unsigned object for two recipients")
	}
}

// fakeBlobKMS wraps as Alibaba Cloud KMS does: the blob is a 36-character
// key id, a 12-byte nonce, the ciphertext of the base64 plaintext and a
// 16-byte tag (internal/kmslocal makes the same), so sizes are real.
type fakeBlobKMS struct{}

func (fakeBlobKMS) Encrypt(_ context.Context, keyID, pt string) (string, error) {
	b := make([]byte, 36+12+len(pt)+16)
	copy(b, keyID)
	rand.Read(b[36:])
	return base64.StdEncoding.EncodeToString(b), nil
}

func (fakeBlobKMS) Decrypt(context.Context, string) (string, error) {
	return "", ErrIncorrectIdentity
}

// TestRecipientsFit measures how many recipients of each key kind fit in
// OSS's 8 KB of user metadata together with the rest of a signed
// envelope (the figures in doc.go), for an object key of 100 bytes, and
// that one more is refused.
func TestRecipientsFit(t *testing.T) {
	ctx := context.Background()
	// The matdesc ossvault gives its keys (vault.DefaultMatDesc).
	md := MatDesc{MatDescKeyName: "1234-5678-9abc-def0-1234"}
	kinds := []struct {
		name string
		bits int
		kms  bool
		want int
	}{
		{"RSA-2048", 2048, false, 9},
		{"RSA-3072", 3072, false, 6},
		{"RSA-4096", 4096, false, 4},
		{"KMS", 0, true, 20},
	}
	for _, kind := range kinds {
		var w Wrapper
		if kind.kms {
			w = NewKMSWrapper(fakeBlobKMS{}, "key-"+strings.Repeat("0", 32), md)
		} else {
			k, err := rsa.GenerateKey(rand.Reader, kind.bits)
			if err != nil {
				t.Fatal(err)
			}
			w = NewRSAWrapper(&k.PublicKey, md)
		}
		fits := 0
		for n := 1; n <= 64; n++ {
			ws := make([]Wrapper, n)
			for i := range ws {
				ws[i] = w
			}
			e, dk, err := SealFor(ctx, ws, nil)
			if err != nil {
				t.Fatal(err)
			}
			e.UnencryptedLength = 1 << 40
			e.DataSize, e.PartSize = 1<<40, 1<<27
			e.TrailersInTags = true
			if err := e.SetWriter(testSigningKey(1).Public().(ed25519.PublicKey), strings.Repeat("b", 63),
				strings.Repeat("k", 100), testSignTime); err != nil {
				t.Fatal(err)
			}
			if _, err := NewSummer(e, dk, 1<<40, 1<<27); err != nil {
				t.Fatal(err)
			}
			err = e.CheckMetaSize()
			if err != nil {
				if !errors.Is(err, ErrTooManyRecipients) {
					t.Fatal(err)
				}
				break
			}
			fits = n
		}
		t.Logf("%s: %d recipients fit in %d bytes of user metadata", kind.name, fits, MaxUserMeta)
		if fits != kind.want {
			t.Errorf("%s: %d recipients fit, doc.go says %d", kind.name, fits, kind.want)
		}
	}
}

// recipientsVector is testdata/recipients-v4.json: a fixed data key, an
// envelope for two recipients and a small content, with the exact root
// MAC input and MAC of BLAKE3-CHUNKED-v4.
type recipientsVector struct {
	Key        string            `json:"data_key_hex"`
	IV         string            `json:"iv_hex"`
	Plain      string            `json:"plaintext_hex"`
	ChunkSize  int64             `json:"chunk_size"`
	Meta       map[string]string `json:"meta"`
	RootPrefix string            `json:"root_prefix_hex"`
	MAC        string            `json:"mac_base64"`
}

func TestRecipientsVector(t *testing.T) {
	path := filepath.Join("testdata", "recipients-v4.json")
	k := &DataKey{}
	for i := range k.Key {
		k.Key[i] = byte(i)
	}
	copy(k.IV[:], unhex(t, "0102030405060708000000000a0b0c0d"))
	plain := []byte("payroll 2026-03: 3 rows, for alice, bob and carol\n")
	e := &Envelope{
		WrappedKey: bytes.Repeat([]byte{0xa1}, 256), WrappedIV: bytes.Repeat([]byte{0xa2}, 256),
		CEKAlg: CEKAlgAESCTR, WrapAlg: WrapRSA, MatDesc: MatDesc{MatDescKeyName: "alice"}, RawMatDesc: `{"ossvault-key":"alice"}`,
		UnencryptedLength: int64(len(plain)), KeyCheck: keyCheck(k),
		Recipients: []Recipient{
			{WrapAlg: WrapRSA, MatDesc: MatDesc{MatDescKeyName: "bob"}, RawMatDesc: `{"ossvault-key":"bob"}`,
				WrappedKey: bytes.Repeat([]byte{0xb1}, 256), WrappedIV: bytes.Repeat([]byte{0xb2}, 256)},
			{WrapAlg: WrapKMS, MatDesc: MatDesc{"desc": "carol"}, RawMatDesc: `{"desc":"carol"}`,
				WrappedKey: bytes.Repeat([]byte{0xc1}, 108), WrappedIV: bytes.Repeat([]byte{0xc2}, 88)},
		},
	}
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	if err := e.SetWriter(priv.Public().(ed25519.PublicKey), "finance-2026", "pay/März.csv", testSignTime); err != nil {
		t.Fatal(err)
	}
	if err := sum(context.Background(), e, k, bytes.NewReader(plain), int64(len(plain)), 1, 16, schemeRecipients); err != nil {
		t.Fatal(err)
	}
	if err := e.Sign(priv); err != nil {
		t.Fatal(err)
	}
	var prefix bytes.Buffer
	schemeRecipients.rootPrefix(hexWriter{&prefix}, e, e.Integrity)
	got := recipientsVector{Key: hex.EncodeToString(k.Key[:]), IV: hex.EncodeToString(k.IV[:]), Plain: hex.EncodeToString(plain),
		ChunkSize: 16, Meta: e.Meta(), RootPrefix: prefix.String(), MAC: base64.StdEncoding.EncodeToString(e.Integrity.MAC)}
	if os.Getenv("OSSVAULT_WRITE_VECTORS") == "1" {
		out, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want recipientsVector
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if !bytes.Equal(gj, wj) {
		t.Fatalf("vector differs:\ngot  %s\nwant %s", gj, wj)
	}
	// The stored headers verify as they are.
	ct := make([]byte, len(plain))
	k.XORKeyStreamAt(ct, plain, 0)
	if st, err := readBack(t, want.Meta, ct, k); st != Verified || err != nil {
		t.Fatalf("vector reads back %v, %v", st, err)
	}
}

// hexWriter collects what a hash is given, as hex, to show the root input.
type hexWriter struct{ b *bytes.Buffer }

func (h hexWriter) Write(p []byte) (int, error) {
	h.b.WriteString(hex.EncodeToString(p))
	return len(p), nil
}
func (h hexWriter) Sum(b []byte) []byte { return b }
func (h hexWriter) Reset()              {}
func (h hexWriter) Size() int           { return 0 }
func (h hexWriter) BlockSize() int      { return 1 }

// FuzzRecipientsHeader: never panics; what parses re-encodes to the same
// bytes (the MAC binds the decoded form, which must be canonical).
func FuzzRecipientsHeader(f *testing.F) {
	f.Add(encodeRecipients([]Recipient{{WrapAlg: WrapRSA, RawMatDesc: `{"ossvault-key":"bob"}`, WrappedKey: []byte{1, 2}, WrappedIV: []byte{3}}}))
	f.Add(encodeRecipients([]Recipient{{WrapAlg: WrapKMS, WrappedKey: []byte{1}, WrappedIV: []byte{3}}, {WrapAlg: WrapRSA, WrappedKey: []byte{9}, WrappedIV: []byte{8}}}))
	f.Add([]byte{1, 1, 0, 0})
	f.Add([]byte{1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := decodeRecipients(b)
		if err != nil {
			return
		}
		if again := encodeRecipients(rs); !bytes.Equal(again, b) {
			t.Fatalf("re-encoded %x, parsed from %x", again, b)
		}
		m := map[string]string{HeaderKey: "AAAA", HeaderStart: "AAAA", HeaderCEKAlg: CEKAlgAESCTR, HeaderWrapAlg: WrapRSA,
			HeaderRecipients: base64.StdEncoding.EncodeToString(b)}
		e, err := ParseMeta(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Wraps()) != len(rs)+1 || e.RequireIntegrity() == nil {
			t.Fatal("recipients without a MAC were accepted")
		}
	})
}
