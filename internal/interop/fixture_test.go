package interop_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	mathrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v2creds "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	v2crypto "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/crypto"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/kmslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
	vkms "github.com/ossvault/ossvault/vault/kms"
)

const (
	// region is both the OSS region V4 signatures must name and the KMS
	// region the key lives in.
	region     = "cn-hangzhou"
	bucketName = "interop"

	kmsAccessKeyID     = "LTAI5tInterop"
	kmsAccessKeySecret = "interop-kms-secret"
)

// sigVersion is how an OSS client signs its requests.
type sigVersion int

const (
	sigV1 sigVersion = iota
	sigV4
)

func (s sigVersion) String() string {
	if s == sigV4 {
		return "sigV4"
	}
	return "sigV1"
}

// rsaPair is an RSA master key in the forms the SDKs and ossvault take it.
type rsaPair struct {
	priv    *rsa.PrivateKey
	pubPEM  string // PKIX "PUBLIC KEY"
	privPEM string // PKCS #1 "RSA PRIVATE KEY"
}

// RSA key generation takes a noticeable fraction of a second, so every test
// of the package shares two keys: the one objects are written for, and
// another one that must never open them.
var (
	rsaOnce          sync.Once
	rsaMain, rsaMisc *rsaPair
	rsaErr           error
)

func rsaKeys(t testing.TB) (main, other *rsaPair) {
	t.Helper()
	rsaOnce.Do(func() {
		if rsaMain, rsaErr = newRSAPair(); rsaErr == nil {
			rsaMisc, rsaErr = newRSAPair()
		}
	})
	if rsaErr != nil {
		t.Fatal(rsaErr)
	}
	return rsaMain, rsaMisc
}

func newRSAPair() (*rsaPair, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("failed to generate an RSA key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("failed to encode the RSA public key: %w", err)
	}
	return &rsaPair{
		priv:    priv,
		pubPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		privPEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})),
	}, nil
}

// world is one local OSS endpoint and one local KMS endpoint with the
// clients every side of a round trip uses.
type world struct {
	oss *osstest.Server

	kmsServer *kmslocal.Server
	kmsEP     *kmslocal.Endpoint
	kmsKeyID  string
	// ourKMS is ossvault's client (envelope.KMS); the SDKs get official
	// clients from sdkKMSClient.
	ourKMS *vkms.Client

	rsa, otherRSA *rsaPair

	// store is ossvault's product path: the bucket of osssdk.Connect
	// (the SDK, V1 signing) on a transfer.Conn.
	store transfer.Bucket
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{}
	w.rsa, w.otherRSA = rsaKeys(t)
	w.oss = osstest.Start(t, osstest.WithBuckets(bucketName), osstest.WithRegion(region))

	w.kmsServer = kmslocal.NewServer()
	w.kmsServer.AddAccessKey(kmsAccessKeyID, kmsAccessKeySecret)
	keyID, err := w.kmsServer.CreateKey(region, "interop master key")
	if err != nil {
		t.Fatal(err)
	}
	w.kmsKeyID = keyID
	ep, err := kmslocal.ServeTLS(w.kmsServer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ep.Close() })
	w.kmsEP = ep

	ourKMS, err := vkms.New(vkms.Config{
		Region:      region,
		Endpoint:    ep.URL(),
		Credentials: vkms.Credentials{AccessKeyID: kmsAccessKeyID, AccessKeySecret: kmsAccessKeySecret},
		RootCAs:     ep.RootCAs,
		Timeout:     10 * time.Second,
		RetryDelay:  time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.ourKMS = ourKMS

	svc, err := osssdk.Connect(transfer.Conn{Endpoint: w.oss.Endpoint, AccessKeyID: w.oss.AccessKeyID, AccessKeySecret: w.oss.AccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	if w.store, err = svc.Bucket(bucketName); err != nil {
		t.Fatal(err)
	}
	return w
}

// sdkKMSClient is the official KMS client, configured as its documentation
// shows, trusting the local endpoint's certificate. Each caller gets its own:
// the SDK client sets its http.Client's timeout on every call, so one client
// shared by parallel tests is a data race (in the SDK, not in the code under
// test; vault/kms makes a client per call for the same reason).
func (w *world) sdkKMSClient(t testing.TB, secret string) *alikms.Client {
	t.Helper()
	conf := sdk.NewConfig()
	conf.Scheme = "HTTPS"
	conf.HttpTransport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.kmsEP.RootCAs}}
	c, err := alikms.NewClientWithOptions(region, conf, credentials.NewAccessKeyCredential(kmsAccessKeyID, secret))
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = w.kmsEP.Host
	return c
}

// v1Client is a plain Go SDK v1 client.
func (w *world) v1Client(t testing.TB, sig sigVersion, secret string) *oss.Client {
	t.Helper()
	var opts []oss.ClientOption
	if sig == sigV4 {
		opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(region))
	}
	c, err := oss.New(w.oss.Endpoint, w.oss.AccessKeyID, secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// v1Bucket is a plain (not encrypting) Go SDK v1 bucket.
func (w *world) v1Bucket(t testing.TB, sig sigVersion) *oss.Bucket {
	t.Helper()
	b, err := w.v1Client(t, sig, w.oss.AccessKeySecret).Bucket(bucketName)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// v2Client is a plain Go SDK v2 client, configured as its documentation
// shows for a path-style plain-HTTP endpoint.
func (w *world) v2Client(sig sigVersion, secret string) *v2.Client {
	cfg := v2.LoadDefaultConfig().
		WithCredentialsProvider(v2creds.NewStaticCredentialsProvider(w.oss.AccessKeyID, secret)).
		WithEndpoint(w.oss.Endpoint).
		WithRegion(region).
		WithUsePathStyle(true).
		WithDisableSSL(true)
	if sig == sigV1 {
		cfg = cfg.WithSignatureVersion(v2.SignatureVersionV1)
	}
	return v2.NewClient(cfg)
}

// master is one master key as every party takes it. The matdesc is given per
// use, since the SDKs bind it to the master cipher.
type master struct {
	name    string
	wrapAlg string
	// wrapper and identity are ossvault's.
	wrapper  func(md envelope.MatDesc) envelope.Wrapper
	identity envelope.Identity
	// v1 and v2 are the SDKs' master ciphers.
	v1 func(t testing.TB, md map[string]string) osscrypto.MasterCipher
	v2 func(t testing.TB, md map[string]string) v2crypto.MasterCipher
	// v1Keys is what a v1 MasterCipherManager returns for this key.
	v1Keys []string
}

// rsaMaster is RSA key p as every party takes it.
func rsaMaster(p *rsaPair) master {
	return master{
		name:    "rsa",
		wrapAlg: envelope.WrapRSA,
		wrapper: func(md envelope.MatDesc) envelope.Wrapper {
			return envelope.NewRSAWrapper(&p.priv.PublicKey, md)
		},
		identity: envelope.NewRSAIdentity(p.priv),
		v1: func(t testing.TB, md map[string]string) osscrypto.MasterCipher {
			mc, err := osscrypto.CreateMasterRsa(md, p.pubPEM, p.privPEM)
			if err != nil {
				t.Fatal(err)
			}
			return mc
		},
		v2: func(t testing.TB, md map[string]string) v2crypto.MasterCipher {
			mc, err := v2crypto.CreateMasterRsa(md, p.pubPEM, p.privPEM)
			if err != nil {
				t.Fatal(err)
			}
			return mc
		},
		v1Keys: []string{p.pubPEM, p.privPEM},
	}
}

func (w *world) masters() []master {
	return []master{
		rsaMaster(w.rsa),
		{
			name:    "kms",
			wrapAlg: envelope.WrapKMS,
			wrapper: func(md envelope.MatDesc) envelope.Wrapper {
				return envelope.NewKMSWrapper(w.ourKMS, w.kmsKeyID, md)
			},
			identity: envelope.NewKMSIdentity(w.ourKMS),
			v1: func(t testing.TB, md map[string]string) osscrypto.MasterCipher {
				mc, err := osscrypto.CreateMasterAliKms(md, w.kmsKeyID, w.sdkKMSClient(t, kmsAccessKeySecret))
				if err != nil {
					t.Fatal(err)
				}
				return mc
			},
			v2: func(t testing.TB, md map[string]string) v2crypto.MasterCipher {
				mc, err := newV2KMSCipher(md, w.kmsKeyID, w.sdkKMSClient(t, kmsAccessKeySecret))
				if err != nil {
					t.Fatal(err)
				}
				return mc
			},
			v1Keys: []string{w.kmsKeyID},
		},
	}
}

// otherV1Master and otherV2Master are an RSA master cipher of another key
// under another matdesc: an SDK client's default that must not be the one
// that opens an object.
func (w *world) otherV1Master(t testing.TB) osscrypto.MasterCipher {
	mc, err := osscrypto.CreateMasterRsa(map[string]string{"desc": "someone else"}, w.otherRSA.pubPEM, w.otherRSA.privPEM)
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

func (w *world) otherV2Master(t testing.TB) v2crypto.MasterCipher {
	mc, err := v2crypto.CreateMasterRsa(map[string]string{"desc": "someone else"}, w.otherRSA.pubPEM, w.otherRSA.privPEM)
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

// matdescCase is a master key description, or none. The one with values
// has two keys (so their order matters) and an '&', which Go's json.Marshal
// writes as \u0026: ossvault's compact form must be byte for byte the one
// the SDKs compute, since they look keys up by string.
type matdescCase struct {
	name string
	md   map[string]string
}

var matdescs = []matdescCase{
	{"matdesc", map[string]string{"team": "R&D", "desc": "payroll q3"}},
	{"no-matdesc", nil},
}

// keyring is ossvault's key choice as transfer.Keys: the identities whose
// wrap algorithm and parsed matdesc are the object's.
type keyring []keyEntry

type keyEntry struct {
	wrapAlg string
	md      envelope.MatDesc
	id      envelope.Identity
}

func (k keyring) Identities(_ context.Context, e *envelope.Envelope) ([]envelope.Identity, error) {
	var ids []envelope.Identity
	for _, entry := range k {
		if entry.wrapAlg == e.WrapAlg && entry.md.Equal(e.MatDesc) {
			ids = append(ids, entry.id)
		}
	}
	return ids, nil
}

// keyringFor registers m under every matdesc the tests use.
func keyringFor(m master) keyring {
	var k keyring
	for _, mc := range matdescs {
		k = append(k, keyEntry{wrapAlg: m.wrapAlg, md: envelope.MatDesc(mc.md), id: m.identity})
	}
	return k
}

func (w *world) downloader(t testing.TB, keys transfer.Keys) *transfer.Downloader {
	t.Helper()
	j, err := transfer.OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &transfer.Downloader{Journal: j, Keys: keys, ChunkSize: 1 << 20, Parts: 2,
		Policy: &transfer.Policy{Attempts: 3, Base: time.Millisecond, Max: 10 * time.Millisecond}}
}

func (w *world) uploader(t testing.TB, keys transfer.Keys, partSize int64) *transfer.Uploader {
	t.Helper()
	j, err := transfer.OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &transfer.Uploader{Store: w.store, Journal: j, Keys: keys, PartSize: partSize, Parts: 2,
		Policy: &transfer.Policy{Attempts: 3, Base: time.Millisecond, Max: 10 * time.Millisecond}}
}

// shape is an object's size and, for multipart, its part size.
type shape struct {
	name     string
	size     int64
	partSize int64 // 0: one PUT
	// noDataSize: the multipart upload does not declare the total size,
	// which the SDKs leave optional.
	noDataSize bool
}

// dataSize is the data size a multipart upload of s declares (0: none).
func (s shape) dataSize() int64 {
	if !s.multipart() || s.noDataSize {
		return 0
	}
	return s.size
}

func (s shape) multipart() bool { return s.partSize > 0 }

// parts returns the [start, end) offsets of each part; none for one PUT.
func (s shape) parts() [][2]int64 {
	if !s.multipart() {
		return nil
	}
	var out [][2]int64
	for off := int64(0); off < s.size; off += s.partSize {
		out = append(out, [2]int64{off, min(off+s.partSize, s.size)})
	}
	return out
}

const (
	kib100     = 100 << 10
	mib1Plus16 = 1<<20 + 16
)

// sdkShapes are the objects the SDKs write: empty and odd-sized single PUTs,
// and multipart uploads whose last part is short or a single byte.
var sdkShapes = []shape{
	{"put-empty", 0, 0, false},
	{"put-200003B", 200_003, 0, false},
	{"multipart-100KiB", 2*kib100 + 12_345, kib100, false},
	{"multipart-100KiB-last-part-1B", 3*kib100 + 1, kib100, false},
	{"multipart-100KiB-no-data-size", 2*kib100 + 999, kib100, true},
	{"multipart-1MiB+16-last-part-1B", 2*mib1Plus16 + 1, mib1Plus16, false},
}

// payload returns size deterministic bytes that differ per name.
func payload(name string, size int64) []byte {
	h := sha256.Sum256([]byte(name))
	r := mathrand.NewChaCha8(h)
	b := make([]byte, size)
	_, _ = r.Read(b)
	return b
}

func writeFile(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plain.bin")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameBytes fails t with the SHA-256 of both sides when they differ.
func sameBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if g, w := sha256.Sum256(got), sha256.Sum256(want); g != w || len(got) != len(want) {
		t.Errorf("%s: got %d bytes, SHA-256 %x; want %d bytes, SHA-256 %x", what, len(got), g[:8], len(want), w[:8])
	}
}

// byteRange is an inclusive range of plaintext bytes.
type byteRange struct{ start, end int64 }

func (r byteRange) String() string { return fmt.Sprintf("range-%d-%d", r.start, r.end) }

// ranges are the ranges read from an object of shape s (none from an empty
// one): one that starts and ends off a 16-byte block and crosses the first
// part boundary of a multipart object, the tail (with the 1-byte last part),
// and the single first byte of part 2.
func ranges(s shape) []byteRange {
	if s.size == 0 {
		return nil
	}
	clamp := func(r byteRange) byteRange {
		return byteRange{max(r.start, 0), min(r.end, s.size-1)}
	}
	if !s.multipart() {
		return []byteRange{clamp(byteRange{7, s.size/2 + 3}), clamp(byteRange{s.size - 21, s.size - 1})}
	}
	return []byteRange{
		clamp(byteRange{s.partSize - 9, s.partSize + 100}),
		clamp(byteRange{s.size - 21, s.size - 1}),
		{s.partSize, s.partSize},
	}
}

// suffixes are the suffix ranges ("bytes=-N") read from an object of shape
// s: one that crosses the last part boundary of a multipart object, and the
// last byte alone.
func suffixes(s shape) []int64 {
	if s.size == 0 {
		return nil
	}
	return []int64{min(s.size, 1003), 1}
}

// objectKey names an object after the test, so parallel tests never share one.
func objectKey(t testing.TB) string {
	h := sha256.Sum256([]byte(t.Name()))
	return fmt.Sprintf("interop/%x/%s", binary.BigEndian.Uint32(h[:4]), filepath.Base(t.Name()))
}

// checkParts checks, in the endpoint's access log, that key was stored in
// the parts of s, each sent once, or in one PUT.
func checkParts(t testing.TB, w *world, key string, s shape) {
	t.Helper()
	stored := w.oss.Log.PartsStored(bucketName, key)
	if want := len(s.parts()); len(stored) != want {
		t.Errorf("%d parts stored, want %d", len(stored), want)
	}
	for n, count := range stored {
		if count != 1 {
			t.Errorf("part %d stored %d times", n, count)
		}
	}
}
