package envelope

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"testing"

	sdk2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/crypto"
	sdk1 "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"
)

// The official Go SDKs' own crypto primitives, without a server: objects we
// seal open with them, and objects they seal open with us. The SDK headers
// are built and read exactly as their CryptoBucket/EncryptionClient does
// (standard base64 of the wrapped bytes, strict on reading).

type sdkCipherData struct {
	key, iv, encKey, encIV []byte
	matDesc, wrap, cek     string
}

// sdkFlavour abstracts over the two SDK versions, whose crypto packages
// have the same shape but distinct types.
type sdkFlavour struct {
	name string
	// seal encrypts plain with a fresh content cipher.
	seal func(t *testing.T, md map[string]string, plain []byte) (sdkCipherData, []byte)
	// open decrypts ct with the envelope read from meta.
	open func(t *testing.T, md map[string]string, meta map[string]string, ct []byte) (matDesc string, plain []byte)
}

func testKeyPEMs(t *testing.T) (pub, priv string) {
	k := sharedTestKey(t)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), testKeyPEM
}

// sdkHeaderDecode is how both SDKs decode key and start: strict standard base64.
func sdkHeaderDecode(t *testing.T, v string) string {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		t.Fatalf("the SDK cannot decode %q: %v", v, err)
	}
	return string(b)
}

func sdkFlavours() []sdkFlavour {
	return []sdkFlavour{
		{
			name: "v1",
			seal: func(t *testing.T, md map[string]string, plain []byte) (sdkCipherData, []byte) {
				pub, priv := testKeyPEMs(t)
				master, err := sdk1.CreateMasterRsa(md, pub, priv)
				if err != nil {
					t.Fatal(err)
				}
				cc, err := sdk1.CreateAesCtrCipher(master).ContentCipher()
				if err != nil {
					t.Fatal(err)
				}
				rc, err := cc.EncryptContent(bytes.NewReader(plain))
				if err != nil {
					t.Fatal(err)
				}
				ct, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				cd := cc.GetCipherData()
				return sdkCipherData{cd.Key, cd.IV, cd.EncryptedKey, cd.EncryptedIV, cd.MatDesc, cd.WrapAlgorithm, cd.CEKAlgorithm}, ct
			},
			open: func(t *testing.T, md map[string]string, meta map[string]string, ct []byte) (string, []byte) {
				pub, priv := testKeyPEMs(t)
				master, err := sdk1.CreateMasterRsa(md, pub, priv)
				if err != nil {
					t.Fatal(err)
				}
				b := sdk1.CreateAesCtrCipher(master)
				cc, err := b.ContentCipherEnv(sdk1.Envelope{
					IV:        sdkHeaderDecode(t, meta[HeaderStart]),
					CipherKey: sdkHeaderDecode(t, meta[HeaderKey]),
					MatDesc:   meta[HeaderMatDesc],
					WrapAlg:   meta[HeaderWrapAlg],
					CEKAlg:    meta[HeaderCEKAlg],
				})
				if err != nil {
					t.Fatal(err)
				}
				rc, err := cc.DecryptContent(bytes.NewReader(ct))
				if err != nil {
					t.Fatal(err)
				}
				out, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				return b.GetMatDesc(), out
			},
		},
		{
			name: "v2",
			seal: func(t *testing.T, md map[string]string, plain []byte) (sdkCipherData, []byte) {
				pub, priv := testKeyPEMs(t)
				master, err := sdk2.CreateMasterRsa(md, pub, priv)
				if err != nil {
					t.Fatal(err)
				}
				cc, err := sdk2.CreateAesCtrCipher(master).ContentCipher()
				if err != nil {
					t.Fatal(err)
				}
				rc, err := cc.EncryptContent(bytes.NewReader(plain))
				if err != nil {
					t.Fatal(err)
				}
				ct, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				cd := cc.GetCipherData()
				return sdkCipherData{cd.Key, cd.IV, cd.EncryptedKey, cd.EncryptedIV, cd.MatDesc, cd.WrapAlgorithm, cd.CEKAlgorithm}, ct
			},
			open: func(t *testing.T, md map[string]string, meta map[string]string, ct []byte) (string, []byte) {
				pub, priv := testKeyPEMs(t)
				master, err := sdk2.CreateMasterRsa(md, pub, priv)
				if err != nil {
					t.Fatal(err)
				}
				b := sdk2.CreateAesCtrCipher(master)
				cc, err := b.ContentCipherEnv(sdk2.Envelope{
					IV:        sdkHeaderDecode(t, meta[HeaderStart]),
					CipherKey: sdkHeaderDecode(t, meta[HeaderKey]),
					MatDesc:   meta[HeaderMatDesc],
					WrapAlg:   meta[HeaderWrapAlg],
					CEKAlg:    meta[HeaderCEKAlg],
				})
				if err != nil {
					t.Fatal(err)
				}
				rc, err := cc.DecryptContent(bytes.NewReader(ct))
				if err != nil {
					t.Fatal(err)
				}
				out, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				return b.GetMatDesc(), out
			},
		},
	}
}

func compatPlain() []byte {
	p := make([]byte, 100_000+7)
	for i := range p {
		p[i] = byte(i*31 + i>>8)
	}
	return p
}

func TestSDKOpensOurObjects(t *testing.T) {
	priv := sharedTestKey(t)
	plain := compatPlain()
	for _, f := range sdkFlavours() {
		for _, md := range []MatDesc{nil, {"desc": "finance <team>", "owner": "a&b"}} {
			t.Run(f.name+"/"+md.String(), func(t *testing.T) {
				e, k, err := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, md), nil)
				if err != nil {
					t.Fatal(err)
				}
				ct, _ := io.ReadAll(NewReader(bytes.NewReader(plain), k, 0))
				if err := Sum(context.Background(), e, k, bytes.NewReader(plain), int64(len(plain)), 2); err != nil {
					t.Fatal(err)
				}
				meta := e.Meta()
				sdkMatDesc, got := f.open(t, md, meta, ct)
				if !bytes.Equal(got, plain) {
					t.Fatal("the SDK decrypts our object to something else")
				}
				// GO1/GO2 pick the key by comparing matdesc strings exactly,
				// so ours must be byte for byte what they write.
				if sdkMatDesc != meta[HeaderMatDesc] {
					t.Errorf("SDK matdesc %q, ours %q", sdkMatDesc, meta[HeaderMatDesc])
				}
			})
		}
	}
}

func TestWeOpenSDKObjects(t *testing.T) {
	priv := sharedTestKey(t)
	plain := compatPlain()
	for _, f := range sdkFlavours() {
		t.Run(f.name, func(t *testing.T) {
			md := map[string]string{"desc": "from the SDK"}
			cd, ct := f.seal(t, md, plain)
			if !bytes.Equal(cd.iv[8:12], []byte{0, 0, 0, 0}) {
				t.Errorf("SDK iv %x does not have zero bytes 8..11", cd.iv)
			}
			// The headers as the SDK's bucket writes them, in Go's
			// canonical header case.
			h := map[string]string{
				"X-Oss-Meta-Client-Side-Encryption-Key":      base64.StdEncoding.EncodeToString(cd.encKey),
				"X-Oss-Meta-Client-Side-Encryption-Start":    base64.StdEncoding.EncodeToString(cd.encIV),
				"X-Oss-Meta-Client-Side-Encryption-Wrap-Alg": cd.wrap,
				"X-Oss-Meta-Client-Side-Encryption-Cek-Alg":  cd.cek,
				"X-Oss-Meta-Client-Side-Encryption-Matdesc":  cd.matDesc,
			}
			e, err := ParseMeta(h)
			if err != nil {
				t.Fatal(err)
			}
			if !e.MatDesc.Equal(md) {
				t.Errorf("matdesc %v", e.MatDesc)
			}
			k, err := Open(context.Background(), e, NewRSAIdentity(priv))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k.Key[:], cd.key) || !bytes.Equal(k.IV[:], cd.iv) {
				t.Fatal("unwrapped data key differs from the SDK's")
			}
			r := NewVerifyingReader(bytes.NewReader(ct), e, k)
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("we decrypt the SDK's object wrongly: %v", err)
			}
			if VerifyStatus(r) != Unverified {
				t.Error("an SDK object must read as unverified")
			}
			for _, off := range []int64{1, 15, 17, 4101, 65536 + 3} {
				got, _ := io.ReadAll(NewReader(bytes.NewReader(ct[off:]), k, off))
				if !bytes.Equal(got, plain[off:]) {
					t.Errorf("offset %d decrypts wrongly", off)
				}
			}
		})
	}
}
