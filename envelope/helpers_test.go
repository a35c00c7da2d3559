package envelope

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// interopDir returns the golden vectors: the official SDKs' own test data
// (testdata/interop, a copy of the format reference's files), or
// $OSSVAULT_INTEROP_DIR to check another copy against the same tests.
func interopDir(t testing.TB) string {
	t.Helper()
	dir, ok := findInterop()
	if !ok {
		t.Fatalf("the golden vectors are not in %s (VECTORS.md missing)", dir)
	}
	return dir
}

func findInterop() (string, bool) {
	dir := filepath.Join("testdata", "interop")
	if env := os.Getenv("OSSVAULT_INTEROP_DIR"); env != "" {
		dir = env
	}
	st, err := os.Stat(filepath.Join(dir, "VECTORS.md"))
	return dir, err == nil && !st.IsDir()
}

// missing skips a test whose outside data is absent locally, and fails it
// in CI (CI=true).
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func readInterop(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(interopDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	sdkDirOnce sync.Once
	sdkDir     string
	sdkDirErr  error
)

// goSDKSample returns a file from the Go SDK v1 module's sample folder.
func goSDKSample(t testing.TB, name string) []byte {
	t.Helper()
	sdkDirOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			sdkDirErr = err
			return
		}
		sdkDir = filepath.Join(strings.TrimSpace(string(out)), "github.com", "aliyun", "aliyun-oss-go-sdk@v3.0.2+incompatible", "sample")
	})
	if sdkDirErr != nil {
		missing(t, "go env GOMODCACHE failed: "+sdkDirErr.Error())
	}
	b, err := os.ReadFile(filepath.Join(sdkDir, name))
	if err != nil {
		missing(t, "Go SDK v1 sample file not in the module cache (run go mod download): "+err.Error())
	}
	return b
}

// The shared 1024-bit test key of every SDK (VECTORS.md §0).
const testKeyPEM = `-----BEGIN RSA PRIVATE KEY-----
MIICWwIBAAKBgQCokfiAVXXf5ImFzKDw+XO/UByW6mse2QsIgz3ZwBtMNu59fR5z
ttSx+8fB7vR4CN3bTztrP9A6bjoN0FFnhlQ3vNJC5MFO1PByrE/MNd5AAfSVba93
I6sx8NSk5MzUCA4NJzAUqYOEWGtGBcom6kEF6MmR1EKib1Id8hpooY5xaQIDAQAB
AoGAOPUZgkNeEMinrw31U3b2JS5sepG6oDG2CKpPu8OtdZMaAkzEfVTJiVoJpP2Y
nPZiADhFW3e0ZAnak9BPsSsySRaSNmR465cG9tbqpXFKh9Rp/sCPo4Jq2n65yood
JBrnGr6/xhYvNa14sQ6xjjfSgRNBSXD1XXNF4kALwgZyCAECQQDV7t4bTx9FbEs5
36nAxPsPM6aACXaOkv6d9LXI7A0J8Zf42FeBV6RK0q7QG5iNNd1WJHSXIITUizVF
6aX5NnvFAkEAybeXNOwUvYtkgxF4s28s6gn11c5HZw4/a8vZm2tXXK/QfTQrJVXp
VwxmSr0FAajWAlcYN/fGkX1pWA041CKFVQJAG08ozzekeEpAuByTIOaEXgZr5MBQ
gBbHpgZNBl8Lsw9CJSQI15wGfv6yDiLXsH8FyC9TKs+d5Tv4Cvquk0efOQJAd9OC
lCKFs48hdyaiz9yEDsc57PdrvRFepVdj/gpGzD14mVerJbOiOF6aSV19ot27u4on
Td/3aifYs0CveHzFPQJAWb4LCDwqLctfzziG7/S7Z74gyq5qZF4FUElOAZkz718E
yZvADwuz/4aK0od0lX9c4Jp7Mo5vQ4TvdoBnPuGoyw==
-----END RSA PRIVATE KEY-----
`

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func sharedTestKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		b, _ := pem.Decode([]byte(testKeyPEM))
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeKMS is an in-memory KMS for unit tests: Encrypt returns a blob shaped
// like a real one (base64 of a key UUID followed by random bytes) and
// Decrypt returns what was encrypted into it.
type fakeKMS struct {
	mu    sync.Mutex
	known map[string]string // blob -> plaintext as KMS returns it
	n     int
	// fail makes every call fail with this error.
	fail error
}

func newFakeKMS() *fakeKMS { return &fakeKMS{known: map[string]string{}} }

const fakeCMK = "5b819435-90e1-45fe-a775-43078c83d0c5"

func (f *fakeKMS) Encrypt(_ context.Context, keyID, pt string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.fail != nil {
		return "", f.fail
	}
	if _, err := base64.StdEncoding.DecodeString(pt); err != nil {
		return "", fmt.Errorf("fake KMS: plaintext is not base64: %w", err)
	}
	nonce := make([]byte, 48)
	rand.Read(nonce)
	blob := base64.StdEncoding.EncodeToString(append([]byte(fakeCMK), nonce...))
	f.known[blob] = pt
	return blob, nil
}

var errFakeKMSRejected = errors.New("fake KMS: InvalidCiphertext")

func (f *fakeKMS) Decrypt(_ context.Context, blob string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.fail != nil {
		return "", f.fail
	}
	pt, ok := f.known[blob]
	if !ok {
		return "", errFakeKMSRejected
	}
	return pt, nil
}

func (f *fakeKMS) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}
