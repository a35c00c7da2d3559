package osslocal

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// One suite, run against every Store.
func TestStoreMemory(t *testing.T) {
	testStore(t, func(t *testing.T) Store { return NewMemoryStore() })
}

func TestStoreDisk(t *testing.T) {
	testStore(t, func(t *testing.T) Store {
		s, err := NewDiskStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func testStore(t *testing.T, newStore func(*testing.T) Store) {
	t.Run("Buckets", func(t *testing.T) { storeBuckets(t, newStore(t)) })
	t.Run("Objects", func(t *testing.T) { storeObjects(t, newStore(t)) })
	t.Run("Keys", func(t *testing.T) { storeKeys(t, newStore(t)) })
	t.Run("FailedWrites", func(t *testing.T) { storeFailedWrites(t, newStore(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { storeConcurrent(t, newStore(t)) })
	t.Run("Snapshot", func(t *testing.T) { storeSnapshot(t, newStore(t)) })
	t.Run("Multipart", func(t *testing.T) { storeMultipart(t, newStore(t)) })
}

func mustPut(t *testing.T, s Store, bucket, key string, data []byte) ObjectInfo {
	t.Helper()
	info, err := s.PutObject(bucket, key, Meta{"x-oss-meta-k": "v"}, bytes.NewReader(data), PutOptions{})
	if err != nil {
		t.Fatalf("PutObject(%q): %v", key, err)
	}
	return info
}

func readObject(t *testing.T, s Store, bucket, key string) ([]byte, ObjectInfo) {
	t.Helper()
	o, err := s.OpenObject(bucket, key)
	if err != nil {
		t.Fatalf("OpenObject(%q): %v", key, err)
	}
	defer o.Close()
	info := o.Info()
	data, err := io.ReadAll(io.NewSectionReader(o, 0, info.Size+10))
	if err != nil {
		t.Fatal(err)
	}
	return data, info
}

func storeBuckets(t *testing.T, s Store) {
	for _, b := range []string{"b-two", "b-one"} {
		if err := s.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateBucket("b-one"); !errors.Is(err, ErrBucketExists) {
		t.Fatalf("duplicate bucket: %v", err)
	}
	list, _ := s.Buckets()
	if len(list) != 2 || list[0].Name != "b-one" || list[1].Name != "b-two" || list[0].Created.IsZero() {
		t.Fatalf("buckets %+v", list)
	}
	mustPut(t, s, "b-one", "k", []byte("x"))
	if err := s.DeleteBucket("b-one"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("non-empty delete: %v", err)
	}
	s.DeleteObject("b-one", "k")
	if _, err := s.CreateUpload("b-one", "u", Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket("b-one"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("delete with an unfinished upload: %v", err)
	}
	ups, _ := s.Uploads("b-one")
	s.AbortUpload("b-one", ups[0].UploadID)
	if err := s.DeleteBucket("b-one"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bucket("b-one"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("deleted bucket: %v", err)
	}
	if _, err := s.PutObject("nope", "k", Meta{}, strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("put into missing bucket: %v", err)
	}
}

func storeObjects(t *testing.T, s Store) {
	s.CreateBucket("objs")
	data := bytes.Repeat([]byte("abc"), 1<<19) // crosses the copy buffer
	info := mustPut(t, s, "objs", "k", data)
	sum := md5.Sum(data)
	if info.Size != int64(len(data)) || info.ETag != etagOf(sum[:]) || info.Multipart {
		t.Fatalf("info %+v", info)
	}
	got, ginfo := readObject(t, s, "objs", "k")
	if !bytes.Equal(got, data) || ginfo.Meta["x-oss-meta-k"] != "v" || ginfo.CRC64 != info.CRC64 {
		t.Fatalf("read back %d bytes, info %+v", len(got), ginfo)
	}
	mustPut(t, s, "objs", "k", []byte("short"))
	if got, _ := readObject(t, s, "objs", "k"); string(got) != "short" {
		t.Fatalf("overwrite: %q", got)
	}
	if err := s.DeleteObject("objs", "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenObject("objs", "k"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("deleted object: %v", err)
	}
	if err := s.DeleteObject("objs", "k"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

// Keys are arbitrary strings; none may reach outside the store.
var awkwardKeys = []string{
	"plain", "with space", "日本語/ファイル", "plus+", "100%", "..", "../../escape", "a/../../b", "//double",
	"/leading", "./dot", "back\\slash", "nul\x00byte", "\xff\xfe not utf-8", "trailing/", strings.Repeat("long/", 200),
}

func storeKeys(t *testing.T, s Store) {
	s.CreateBucket("keys")
	for _, k := range awkwardKeys {
		mustPut(t, s, "keys", k, []byte(k))
	}
	for _, k := range awkwardKeys {
		if got, _ := readObject(t, s, "keys", k); string(got) != k {
			t.Fatalf("%q read back %q", k, got)
		}
	}
	page, _ := s.ListObjects("keys", ListQuery{MaxKeys: 1000})
	var listed []string
	for _, o := range page.Objects {
		listed = append(listed, o.Key)
	}
	want := append([]string(nil), awkwardKeys...)
	sort.Strings(want)
	if strings.Join(listed, "\n") != strings.Join(want, "\n") {
		t.Fatalf("listed %q", listed)
	}
	if ds, ok := s.(*DiskStore); ok {
		// Everything lives under objects/, in hashed names only.
		filepath.WalkDir(ds.Dir(), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(ds.Dir(), p)
			if strings.HasPrefix(rel, "..") {
				t.Fatalf("file outside the store: %s", p)
			}
			if !d.IsDir() && strings.Contains(rel, "objects") && len(d.Name()) != 64 {
				t.Fatalf("unexpected object file name %s", rel)
			}
			return nil
		})
		if _, err := os.Stat(filepath.Join(ds.Dir(), "..", "escape")); err == nil {
			t.Fatal("a key escaped the store")
		}
	}
}

func storeFailedWrites(t *testing.T, s Store) {
	s.CreateBucket("fail")
	mustPut(t, s, "fail", "k", []byte("original"))
	// Wrong MD5.
	bad := md5.Sum([]byte("something else"))
	_, err := s.PutObject("fail", "k", Meta{}, strings.NewReader("new"), PutOptions{ContentMD5: bad[:]})
	if !errors.Is(err, ErrBadDigest) {
		t.Fatalf("bad digest: %v", err)
	}
	// The client goes away mid-body.
	body := io.MultiReader(bytes.NewReader(make([]byte, 3<<20)), iotest.ErrReader(io.ErrUnexpectedEOF))
	if _, err := s.PutObject("fail", "k", Meta{}, body, PutOptions{}); err == nil {
		t.Fatal("a failed body was stored")
	}
	if got, _ := readObject(t, s, "fail", "k"); string(got) != "original" {
		t.Fatalf("failed writes changed the object: %q", got)
	}
	u, _ := s.CreateUpload("fail", "m", Meta{})
	if _, err := s.PutPart("fail", u.UploadID, 1, iotest.ErrReader(io.ErrUnexpectedEOF), PutOptions{}); err == nil {
		t.Fatal("a failed part was stored")
	}
	if _, parts, _ := s.Upload("fail", u.UploadID); len(parts) != 0 {
		t.Fatalf("failed part listed: %+v", parts)
	}
	if ds, ok := s.(*DiskStore); ok {
		filepath.WalkDir(ds.Dir(), func(p string, d fs.DirEntry, err error) error {
			if strings.HasPrefix(d.Name(), tmpPrefix) {
				t.Errorf("temp file left: %s", p)
			}
			return nil
		})
	}
}

func storeConcurrent(t *testing.T, s Store) {
	s.CreateBucket("race")
	const writers = 8
	contents := make([][]byte, writers)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{byte('a' + i)}, 200_000+i)
	}
	var wg sync.WaitGroup
	for round := 0; round < 5; round++ {
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.PutObject("race", "k", Meta{}, bytes.NewReader(contents[i]), PutOptions{}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, info := readObject(t, s, "race", "k")
		sum := md5.Sum(got)
		winner := -1
		for i, c := range contents {
			if bytes.Equal(got, c) {
				winner = i
			}
		}
		if winner < 0 || info.ETag != etagOf(sum[:]) {
			t.Fatalf("round %d: content is no writer's whole object", round)
		}
		// The listing describes the object that won.
		page, _ := s.ListObjects("race", ListQuery{MaxKeys: 10})
		if len(page.Objects) != 1 || page.Objects[0].ETag != info.ETag || page.Objects[0].Size != info.Size {
			t.Fatalf("round %d: index %+v, object %+v", round, page.Objects, info)
		}
	}
}

func storeSnapshot(t *testing.T, s Store) {
	s.CreateBucket("snap")
	mustPut(t, s, "snap", "k", []byte("first version"))
	o, err := s.OpenObject("snap", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	// Replacing and removing an object a reader has open both work (on
	// Windows too, where an open file refuses both unless it shares
	// deletion), and the reader keeps the version it opened.
	mustPut(t, s, "snap", "k", []byte("second, longer version"))
	if o2, err := s.OpenObject("snap", "k"); err != nil {
		t.Fatal(err)
	} else {
		got, _ := io.ReadAll(io.NewSectionReader(o2, 0, o2.Info().Size))
		o2.Close()
		if string(got) != "second, longer version" {
			t.Fatalf("after the overwrite a new reader sees %q", got)
		}
	}
	if err := s.DeleteObject("snap", "k"); err != nil {
		t.Fatalf("deleting an object a reader has open: %v", err)
	}
	got, _ := io.ReadAll(io.NewSectionReader(o, 0, o.Info().Size))
	if string(got) != "first version" {
		t.Fatalf("an open object changed under its reader: %q", got)
	}
}

func storeMultipart(t *testing.T, s Store) {
	if err := s.CreateBucket("mpu"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUpload("mpu", "big", Meta{"content-type": "x/y"})
	if err != nil {
		t.Fatal(err)
	}
	p1 := bytes.Repeat([]byte{1}, MinPartSize)
	p2 := []byte("tail")
	for n, d := range map[int][]byte{2: p2, 1: p1} {
		if _, err := s.PutPart("mpu", u.UploadID, n, bytes.NewReader(d), PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	info, parts, err := s.Upload("mpu", u.UploadID)
	if err != nil || len(parts) != 2 || parts[0].Number != 1 || info.Key != "big" {
		t.Fatalf("Upload: %+v %+v %v", info, parts, err)
	}
	want := []CompletePart{{1, `"` + parts[0].ETag + `"`}, {2, strings.ToLower(parts[1].ETag)}}
	obj, err := s.CompleteUpload("mpu", u.UploadID, want)
	if err != nil {
		t.Fatal(err)
	}
	got, ginfo := readObject(t, s, "mpu", "big")
	if !bytes.Equal(got, append(append([]byte{}, p1...), p2...)) || !ginfo.Multipart || ginfo.Meta["content-type"] != "x/y" || obj.ETag != ginfo.ETag {
		t.Fatalf("completed object: %d bytes, %+v", len(got), ginfo)
	}
	if _, _, err := s.Upload("mpu", u.UploadID); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("completed upload still there: %v", err)
	}
	if _, err := s.PutPart("mpu", u.UploadID, 3, strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("part after completion: %v", err)
	}
	if ups, _ := s.Uploads("mpu"); len(ups) != 0 {
		t.Fatalf("uploads %+v", ups)
	}
}

func TestCheckComplete(t *testing.T) {
	mk := func(n int, size int64) PartInfo {
		sum := md5.Sum([]byte(fmt.Sprint(n)))
		return PartInfo{Number: n, Size: size, MD5: sum[:], ETag: etagOf(sum[:])}
	}
	have := []PartInfo{mk(1, MinPartSize), mk(2, MinPartSize-1), mk(3, 5), mk(4, MinPartSize)}
	cases := []struct {
		want []int
		err  error
	}{
		{[]int{1, 4}, nil},
		{[]int{1, 3}, nil},
		{[]int{1, 4, 3}, ErrInvalidPartOrder},
		{[]int{1, 1}, ErrInvalidPartOrder},
		{[]int{1, 2, 3}, ErrEntityTooSmall},
		{[]int{1, 5}, ErrInvalidPart},
		{nil, ErrInvalidPart},
	}
	for _, c := range cases {
		var want []CompletePart
		for _, n := range c.want {
			want = append(want, CompletePart{Number: n, ETag: mk(n, 0).ETag})
		}
		_, info, err := CheckComplete(UploadInfo{Key: "k"}, have, want)
		if !errors.Is(err, c.err) {
			t.Errorf("%v: got %v, want %v", c.want, err, c.err)
		}
		if err == nil && !strings.HasSuffix(info.ETag, fmt.Sprintf("-%d", len(c.want))) {
			t.Errorf("%v: ETag %s", c.want, info.ETag)
		}
	}
	_, _, err := CheckComplete(UploadInfo{Key: "k"}, have, []CompletePart{{1, "wrong"}})
	if !errors.Is(err, ErrInvalidPart) {
		t.Errorf("wrong ETag: %v", err)
	}
}

// TestListMatchesReference compares paged listings with a brute-force
// reference over random keys and queries.
func TestListMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", "b", "/", "-", "é", "\xff"}
	rk := func() string {
		var sb strings.Builder
		for n := 1 + rng.IntN(6); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return sb.String()
	}
	x := newKeyIndex()
	for i := 0; i < 400; i++ {
		x.put(ObjectInfo{Key: rk()})
	}
	for iter := 0; iter < 300; iter++ {
		p := rk()
		q := ListQuery{Prefix: p[:min(len(p), rng.IntN(3))], MaxKeys: 1 + rng.IntN(7)}
		if rng.IntN(2) == 0 {
			q.Delimiter = []string{"/", "b", "ab"}[rng.IntN(3)]
		}
		if rng.IntN(3) == 0 {
			q.After = rk()
		}
		want := referenceList(x.keys, q)
		var got []string
		for {
			page := x.list(q)
			for _, o := range page.Objects {
				got = append(got, "k:"+o.Key)
			}
			for _, p := range page.CommonPrefixes {
				got = append(got, "p:"+p)
			}
			if page.count() > q.MaxKeys {
				t.Fatalf("page over max-keys")
			}
			if !page.IsTruncated {
				break
			}
			q.After = page.NextAfter
		}
		sortEntries(got)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("query %+v:\n got  %q\n want %q", q, got, want)
		}
	}
}

func referenceList(keys []string, q ListQuery) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		if !strings.HasPrefix(k, q.Prefix) || k <= q.After {
			continue
		}
		if q.Delimiter != "" {
			if j := strings.Index(k[len(q.Prefix):], q.Delimiter); j >= 0 {
				cp := k[:len(q.Prefix)+j+len(q.Delimiter)]
				if cp > q.After && !seen[cp] {
					seen[cp] = true
					out = append(out, "p:"+cp)
				}
				continue
			}
		}
		out = append(out, "k:"+k)
	}
	sortEntries(out)
	return out
}

func sortEntries(e []string) {
	sort.Slice(e, func(i, j int) bool { return e[i][2:] < e[j][2:] })
}

// BenchmarkListPage shows that a page costs the same in a bucket of 1,000
// or 100,000 objects (the index, not a scan).
func BenchmarkListPage(b *testing.B) {
	for _, n := range []int{1000, 100_000} {
		x := newKeyIndex()
		for i := 0; i < n; i++ {
			x.put(ObjectInfo{Key: fmt.Sprintf("folder/%08d.pdf", i)})
		}
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			after := fmt.Sprintf("folder/%08d.pdf", n/2)
			for i := 0; i < b.N; i++ {
				page := x.list(ListQuery{Prefix: "folder/", Delimiter: "/", After: after, MaxKeys: 1000})
				if len(page.Objects) == 0 {
					b.Fatal("empty page")
				}
			}
		})
	}
}
