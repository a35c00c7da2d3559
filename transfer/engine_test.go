package transfer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func rsaKey(t testing.TB) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// keyring is a Keys with fixed identities.
type keyring []envelope.Identity

func (k keyring) Identities(context.Context, *envelope.Envelope) ([]envelope.Identity, error) {
	return k, nil
}

func testWrapper(t testing.TB) envelope.Wrapper {
	return envelope.NewRSAWrapper(&rsaKey(t).PublicKey, envelope.MatDesc{"desc": "test"})
}

func testKeys(t testing.TB) Keys { return keyring{envelope.NewRSAIdentity(rsaKey(t))} }

var fastPolicy = Policy{Attempts: 10, Base: time.Millisecond, Max: 5 * time.Millisecond}

func writeRandom(t testing.TB, dir, name string, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func newEngines(t testing.TB, s Store) (*Uploader, *Downloader) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := fastPolicy
	return &Uploader{Store: s, Journal: j, Keys: testKeys(t), PartSize: MinPartSize, Parts: 3, Policy: &p},
		&Downloader{Journal: j, Keys: testKeys(t), ChunkSize: 1 << 20, Parts: 3, Policy: &p}
}

func TestRoundTripSizes(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	dir := t.TempDir()
	for _, n := range []int{0, 1, 15, 16, MinPartSize, MinPartSize + 1, 3*MinPartSize + 17, 3<<20 + 5} {
		t.Run(strings.ReplaceAll(time.Duration(n).String(), "ns", "B"), func(t *testing.T) {
			src, want := writeRandom(t, dir, "src", n)
			key := "obj"
			if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: key, Wrapper: testWrapper(t)}, nil); err != nil {
				t.Fatal(err)
			}
			stored := s.objects[key].data
			if n > 32 && bytes.Equal(stored, want) {
				t.Fatal("the object was stored in plaintext")
			}
			dest := filepath.Join(t.TempDir(), "out")
			res, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/obj", Key: key, Dest: dest}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(dest)
			if !bytes.Equal(got, want) {
				t.Fatalf("downloaded %d bytes differing from the %d uploaded", len(got), len(want))
			}
			if res.Integrity != envelope.Verified {
				t.Fatalf("integrity = %v, want verified", res.Integrity)
			}
			multipart := s.objects[key].meta["client-side-encryption-part-size"] != ""
			if multipart != (int64(n) > MinPartSize) {
				t.Fatalf("multipart = %v for %d bytes", multipart, n)
			}
			assertNoLeftovers(t, filepath.Dir(dest), up.Journal)
		})
	}
}

func assertNoLeftovers(t *testing.T, dir string, j *Journal) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".ossvault-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if recs, _ := j.List(); len(recs) != 0 {
		t.Errorf("journal records left behind: %+v", recs)
	}
}

func TestRanges(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	src, want := writeRandom(t, t.TempDir(), "src", 2<<20+333)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	n := int64(len(want))
	for _, tc := range []struct {
		name string
		r    ByteRange
		want []byte
	}{
		{"first byte", ByteRange{Start: 0, End: 0}, want[:1]},
		{"unaligned middle", ByteRange{Start: 17, End: 1<<20 + 100}, want[17 : 1<<20+101]},
		{"open end", ByteRange{Start: n - 10, End: -1}, want[n-10:]},
		{"end past size", ByteRange{Start: 5, End: n + 100}, want[5:]},
		{"suffix", ByteRange{Suffix: 1000}, want[n-1000:]},
		{"suffix larger than object", ByteRange{Suffix: n + 5}, want},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "out")
			r := tc.r
			res, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: dest, Range: &r}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(dest)
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("got %d bytes, want %d matching", len(got), len(tc.want))
			}
			if res.Written != int64(len(tc.want)) {
				t.Fatalf("Written = %d, want %d", res.Written, len(tc.want))
			}
		})
	}
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "x", Key: "k", Dest: dest, Range: &ByteRange{Start: n, End: -1}}, nil); err == nil {
		t.Fatal("a range past the end succeeded")
	}
}

func TestUploadRetriesFailedParts(t *testing.T) {
	s := newMemStore()
	var mu sync.Mutex
	failed := map[int]int{}
	s.fail = func(op string, part int) error {
		if op != "UploadPart" {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if failed[part] < 2 {
			failed[part]++
			return &RemoteError{Op: op, Status: 503}
		}
		return nil
	}
	up, down := newEngines(t, s)
	src, want := writeRandom(t, t.TempDir(), "src", 5*MinPartSize+9)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	if got := s.count("UploadPart"); got != 18 {
		t.Errorf("UploadPart calls = %d, want 18 (6 parts, 3 tries each)", got)
	}
	s.fail = nil
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: dest}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); sha256.Sum256(got) != sha256.Sum256(want) {
		t.Fatal("content differs after retried parts")
	}
}

func TestUploadResumesWithoutResending(t *testing.T) {
	s := newMemStore()
	up, _ := newEngines(t, s)
	src, _ := writeRandom(t, t.TempDir(), "src", 8*MinPartSize)
	ctx, cancel := context.WithCancelCause(context.Background())
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == 5 {
			cancel(ErrPaused)
			return context.Canceled
		}
		return nil
	}
	up.Parts = 1
	err := up.Upload(ctx, UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil)
	if !errors.Is(err, ErrPaused) {
		t.Fatalf("err = %v, want paused", err)
	}
	recs, _ := up.Journal.List()
	if len(recs) != 1 {
		t.Fatalf("journal has %d records after a pause, want 1", len(recs))
	}
	if b, _ := os.ReadFile(filepath.Join(up.Journal.Dir(), recs[0].ID+".json")); !strings.Contains(string(b), "client-side-encryption-key") {
		t.Fatal("the journal does not carry the wrapped key")
	}
	s.fail = nil
	before := s.count("UploadPart")
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	if sent := s.count("UploadPart") - before; sent != 4 {
		t.Errorf("the resumed upload sent %d parts, want 4 (parts 5-8)", sent)
	}
	if s.count("InitiateMultipartUpload") != 1 {
		t.Errorf("the resume initiated a new upload")
	}
}

func TestUploadRestartsWhenSourceChanges(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	dir := t.TempDir()
	src, _ := writeRandom(t, dir, "src", 6*MinPartSize)
	var once sync.Once
	newContent := make([]byte, 6*MinPartSize+100)
	rand.Read(newContent)
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == 3 {
			once.Do(func() {
				if err := os.WriteFile(src, newContent, 0o600); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	}
	up.Parts = 1
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	if n := s.count("InitiateMultipartUpload"); n != 2 {
		t.Errorf("InitiateMultipartUpload = %d, want 2 (a restart)", n)
	}
	if n := s.count("AbortMultipartUpload"); n != 1 {
		t.Errorf("AbortMultipartUpload = %d, want 1", n)
	}
	if len(s.uploads) != 0 {
		t.Errorf("%d unfinished uploads left on the server", len(s.uploads))
	}
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: dest}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, newContent) {
		t.Fatal("the object is not the new content")
	}
}

func TestCancelAbortsAndForgets(t *testing.T) {
	s := newMemStore()
	up, _ := newEngines(t, s)
	src, _ := writeRandom(t, t.TempDir(), "src", 4*MinPartSize)
	ctx, cancel := context.WithCancelCause(context.Background())
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == 2 {
			cancel(ErrCanceled)
			return context.Canceled
		}
		return nil
	}
	up.Parts = 1
	err := up.Upload(ctx, UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil)
	if !errors.Is(err, ErrCanceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	if len(s.uploads) != 0 || s.count("AbortMultipartUpload") != 1 {
		t.Errorf("cancel left %d uploads (%d aborts)", len(s.uploads), s.count("AbortMultipartUpload"))
	}
	if recs, _ := up.Journal.List(); len(recs) != 0 {
		t.Errorf("cancel left the journal: %+v", recs)
	}
}

func TestPermanentErrorsAreNotRetried(t *testing.T) {
	s := newMemStore()
	s.fail = func(op string, _ int) error {
		return &RemoteError{Op: op, Status: 403, Code: "InvalidAccessKeyId"}
	}
	up, _ := newEngines(t, s)
	src, _ := writeRandom(t, t.TempDir(), "src", 100)
	err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil)
	if !errors.Is(err, ErrAccessDenied) || s.count("PutObject") != 1 {
		t.Fatalf("err = %v after %d tries, want access denied after 1", err, s.count("PutObject"))
	}
}

func TestDownloadTamperedLeavesNothing(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	src, _ := writeRandom(t, t.TempDir(), "src", 3<<20)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	orig := bytes.Clone(s.objects["k"].data)
	for _, tc := range []struct {
		name   string
		tamper func(o *memObject)
	}{
		{"flipped ciphertext bit", func(o *memObject) { o.data[2<<20+7] ^= 0x10 }},
		{"altered size header", func(o *memObject) { o.meta["client-side-encryption-unencrypted-content-length"] = "5" }},
		{"truncated object", func(o *memObject) { o.data = o.data[:len(o.data)-16] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &memObject{data: bytes.Clone(orig), meta: map[string]string{}}
			for k, v := range s.objects["k"].meta {
				o.meta[k] = v
			}
			tc.tamper(o)
			o.etag = etagOf(o.data)
			s.objects["t"] = o
			dir := t.TempDir()
			dest := filepath.Join(dir, "out")
			_, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/t", Key: "t", Dest: dest}, nil)
			if !errors.Is(err, envelope.ErrIntegrity) {
				t.Fatalf("err = %v, want an integrity failure", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("left %d files at the destination", len(ents))
			}
		})
	}
}

func TestDownloadWithoutKey(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	src, _ := writeRandom(t, t.TempDir(), "src", 1000)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	// A wrapped key that is numerically at least the other modulus makes
	// the envelope report a decryption error instead of "not this key";
	// a larger modulus keeps this test about the transfer's handling.
	var other *rsa.PrivateKey
	for other == nil || other.N.Cmp(rsaKey(t).N) <= 0 {
		var err error
		if other, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	}
	down.Keys = keyring{envelope.NewRSAIdentity(other)}
	dir := t.TempDir()
	_, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: filepath.Join(dir, "out")}, nil)
	if !errors.Is(err, envelope.ErrNoKey) || !strings.Contains(err.Error(), `{"desc":"test"}`) {
		t.Fatalf("err = %v, want no key naming the matdesc", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %d files at the destination", len(ents))
	}
}

func TestDownloadPlainObject(t *testing.T) {
	s := newMemStore()
	_, down := newEngines(t, s)
	want := []byte("not encrypted at all")
	s.objects["p"] = &memObject{data: want, meta: map[string]string{}, etag: etagOf(want)}
	dest := filepath.Join(t.TempDir(), "out")
	res, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/p", Key: "p", Dest: dest}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Encrypted() || res.Integrity != envelope.Unverified {
		t.Fatalf("plain object reported encrypted=%v integrity=%v", res.Encrypted(), res.Integrity)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, want) {
		t.Fatal("plain object not saved as-is")
	}
}

func TestDownloadRefusesExistingDestination(t *testing.T) {
	s := newMemStore()
	_, down := newEngines(t, s)
	s.objects["p"] = &memObject{data: []byte("x"), meta: map[string]string{}, etag: etagOf([]byte("x"))}
	dest := filepath.Join(t.TempDir(), "out")
	os.WriteFile(dest, []byte("precious"), 0o600)
	_, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/p", Key: "p", Dest: dest}, nil)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(dest); string(got) != "precious" {
		t.Fatal("the existing file was changed")
	}
}

func TestDownloadResumesAndKeepsPartialOnPause(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	// Parts of whole integrity chunks (1 MiB), so that the download's
	// 1 MiB ranges are the chunks counted below.
	up.PartSize = 1 << 20
	src, want := writeRandom(t, t.TempDir(), "src", 6<<20+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	down.Parts = 1
	ctx, cancel := context.WithCancelCause(context.Background())
	gets := 0
	s.fail = func(op string, _ int) error {
		if op == "GetObject" {
			gets++
			if gets == 4 {
				cancel(ErrPaused)
				return context.Canceled
			}
		}
		return nil
	}
	dir := t.TempDir()
	dest := filepath.Join(dir, "out")
	job := DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: dest}
	if _, err := down.Download(ctx, job, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("err = %v, want paused", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || !strings.HasPrefix(ents[0].Name(), ".ossvault-") {
		t.Fatalf("after a pause the folder holds %v, want one hidden partial file", ents)
	}
	if fi, _ := ents[0].Info(); fi.Mode().Perm() != 0o600 {
		t.Fatalf("partial file mode %v, want 0600", fi.Mode().Perm())
	}
	s.fail = nil
	gets = 0
	s.fail = func(op string, _ int) error {
		if op == "GetObject" {
			gets++
		}
		return nil
	}
	res, err := down.Download(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	if gets != 4 {
		t.Errorf("the resume made %d GETs, want 4 (chunks 4-7)", gets)
	}
	if res.Integrity != envelope.Verified {
		t.Errorf("integrity = %v", res.Integrity)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, want) {
		t.Fatal("resumed download differs")
	}
	assertNoLeftovers(t, dir, down.Journal)
}

func TestCheckReadsThrough(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	src, _ := writeRandom(t, t.TempDir(), "src", 2<<20+1)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := down.Check(context.Background(), s, "k", nil)
	if err != nil || res.Integrity != envelope.Verified {
		t.Fatalf("Check = %v, %v", res, err)
	}
	s.objects["k"].data[100] ^= 1
	s.objects["k"].etag = etagOf(s.objects["k"].data)
	if _, err := down.Check(context.Background(), s, "k", nil); !errors.Is(err, envelope.ErrIntegrity) {
		t.Fatalf("Check of a tampered object = %v", err)
	}
}

// A pause whose journal save fails says so: the download still resumes
// from the record saved earlier, only fetching more again.
func TestDownloadPauseReportsUnsavedProgress(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.PartSize = 1 << 20
	src, want := writeRandom(t, t.TempDir(), "src", 6<<20+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	down.Parts = 1
	jdir := down.Journal.Dir()
	ctx, cancel := context.WithCancelCause(context.Background())
	gets := 0
	s.fail = func(op string, _ int) error {
		if op == "GetObject" {
			if gets++; gets == 4 {
				// The journal's folder becomes a file: every save fails.
				if err := os.Rename(jdir, jdir+".away"); err != nil {
					t.Error(err)
				}
				os.WriteFile(jdir, nil, 0o600)
				cancel(ErrPaused)
				return context.Canceled
			}
		}
		return nil
	}
	dest := filepath.Join(t.TempDir(), "out")
	job := DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: dest}
	_, err := down.Download(ctx, job, nil)
	if !errors.Is(err, ErrPaused) || !strings.Contains(err.Error(), "could not be recorded") {
		t.Fatalf("err = %v, want paused and the failed save named", err)
	}
	s.fail = nil
	os.Remove(jdir)
	if err := os.Rename(jdir+".away", jdir); err != nil {
		t.Fatal(err)
	}
	if _, err := down.Download(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, want) {
		t.Fatal("the resumed download differs")
	}
}
