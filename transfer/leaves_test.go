package transfer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

func copyObject(t *testing.T, b *oss.Bucket, from, to string) {
	t.Helper()
	body, err := b.GetObject(from)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	if err := b.PutObject(to, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

// A range of an ossvault object is checked against its leaf table, through
// the real SDK and endpoint, for single PUTs and multipart objects, signed
// and not: what the table vouches for is written as verified, an altered
// chunk in the range fails, and a table that is missing or another
// object's leaves the range plainly not verified.
func TestRangeByLeaves(t *testing.T) {
	srv, st := startOSS(t)
	sdk := sdkBucket(t, srvConn(srv), "bkt")
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	const cs = envelope.DefaultChunkSize
	for _, shape := range []struct {
		name     string
		size     int
		partSize int64
		signed   bool
	}{
		{"single PUT, signed", 3*cs + 11, DefaultPartSize, true},
		{"multipart, signed", 5*cs + 7, cs, true},
		{"multipart, unsigned (v2)", 4*cs + 100, cs, false},
	} {
		up, down := newEngines(t, st)
		up.PartSize = shape.partSize
		if shape.signed {
			up.Signer = priv
		}
		src, plain := writeRandom(t, t.TempDir(), "src", shape.size)
		n := 0
		upload := func(t *testing.T) string {
			t.Helper()
			n++
			key := "r/" + strconv.Itoa(n) + " " + shape.name
			if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: key, Wrapper: testWrapper(t)}, nil); err != nil {
				t.Fatal(err)
			}
			return key
		}
		// 1 KiB inside the second chunk.
		rng := &ByteRange{Start: cs + 500, End: cs + 500 + 1023}
		want := plain[rng.Start : rng.End+1]
		for _, tc := range []struct {
			name   string
			strict bool
			change func(t *testing.T, key string)
			// wantWhy is the reason a range is not verified; "" for a
			// verified one. fail: the download fails as altered.
			wantWhy string
			fail    bool
			// altered: the range's bytes were changed and, not verified,
			// are written as they are (the warning is the user's cue).
			altered bool
		}{
			{name: "intact"},
			{name: "a chunk in the range altered", fail: true, change: func(t *testing.T, key string) {
				srv.RewriteObject(t, "bkt", key, func(d []byte) { d[rng.Start+700] ^= 0x20 })
			}},
			{name: "the range's chunk altered outside the range", fail: true, change: func(t *testing.T, key string) {
				srv.RewriteObject(t, "bkt", key, func(d []byte) { d[cs+10] ^= 0x20 })
			}},
			{name: "a chunk outside the range altered", change: func(t *testing.T, key string) {
				srv.RewriteObject(t, "bkt", key, func(d []byte) { d[3*cs+1] ^= 0x20 })
			}},
			{name: "table removed", wantWhy: whyNoTable, change: func(t *testing.T, key string) {
				if err := st.Delete(context.Background(), LeavesKey(key)); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "table removed, only verified reads", strict: true, change: func(t *testing.T, key string) {
				st.Delete(context.Background(), LeavesKey(key))
			}},
			{name: "table removed, altered outside the range, only verified reads", strict: true, fail: true, change: func(t *testing.T, key string) {
				st.Delete(context.Background(), LeavesKey(key))
				srv.RewriteObject(t, "bkt", key, func(d []byte) { d[3*cs+1] ^= 0x20 })
			}},
			{name: "another object's table", wantWhy: whyForeignTable, change: func(t *testing.T, key string) {
				copyObject(t, sdk, LeavesKey(upload(t)), LeavesKey(key))
			}},
			{name: "another object's table, altered in the range", wantWhy: whyForeignTable, altered: true, change: func(t *testing.T, key string) {
				copyObject(t, sdk, LeavesKey(upload(t)), LeavesKey(key))
				srv.RewriteObject(t, "bkt", key, func(d []byte) { d[rng.Start+700] ^= 0x20 })
			}},
			{name: "a leaf of the table altered", fail: true, change: func(t *testing.T, key string) {
				srv.RewriteObject(t, "bkt", LeavesKey(key), func(d []byte) { d[len(d)-1] ^= 1 })
			}},
		} {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				key := upload(t)
				if _, err := st.Head(context.Background(), LeavesKey(key)); err != nil {
					t.Fatalf("the upload wrote no leaf table: %v", err)
				}
				if tc.change != nil {
					tc.change(t, key)
				}
				dir := t.TempDir()
				dest := filepath.Join(dir, "out")
				res, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/" + key, Key: key, Dest: dest,
					Range: rng, RequireVerified: tc.strict}, nil)
				if tc.fail {
					if !errors.Is(err, envelope.ErrIntegrity) {
						t.Fatalf("err = %v, want an integrity failure", err)
					}
					if ents, _ := os.ReadDir(dir); len(ents) != 0 {
						t.Fatalf("left %d files at the destination", len(ents))
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, _ := os.ReadFile(dest)
				if bytes.Equal(got, want) == tc.altered || len(got) != len(want) {
					t.Fatalf("got %d bytes, not the range as stored", len(got))
				}
				if tc.wantWhy == "" {
					if res.Integrity != envelope.Verified || res.RangeUnchecked {
						t.Fatalf("integrity %v, unchecked %v (%s); want verified", res.Integrity, res.RangeUnchecked, res.RangeWhy)
					}
					return
				}
				if res.Integrity == envelope.Verified || !res.RangeUnchecked || res.RangeWhy != tc.wantWhy {
					t.Fatalf("integrity %v, unchecked %v, why %q; want not verified: %q", res.Integrity, res.RangeUnchecked, res.RangeWhy, tc.wantWhy)
				}
			})
		}
	}
}

// An object of one chunk gets no table: a range of it is the whole object
// and is checked as such. (Objects written before leaf tables, which have
// none, are TestRangeByLeaves's "table removed".)
func TestRangeOfOneChunk(t *testing.T) {
	srv, st := startOSS(t)
	up, down := newEngines(t, st)
	up.PartSize = DefaultPartSize
	src, plain := writeRandom(t, t.TempDir(), "small", 300<<10)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "small", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log.Count(osslocal.OpPutObject); n != 1 {
		t.Fatalf("%d PutObject for an object of one chunk, want 1 (no table)", n)
	}
	dest := filepath.Join(t.TempDir(), "out")
	res, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/small", Key: "small", Dest: dest, Range: &ByteRange{Start: 10, End: 20}}, nil)
	if got, _ := os.ReadFile(dest); err != nil || res.Integrity != envelope.Verified || !bytes.Equal(got, plain[10:21]) {
		t.Fatalf("small range: %v, %+v", err, res)
	}
}

// The figure the design promises: a 1 KiB range of a large object reads
// one chunk of it and its leaf table, never the object. OSSVAULT_RANGE_MIB
// sets the object's size (32 MiB by default).
func TestRangeReadsLittle(t *testing.T) {
	mib := 32
	if s := os.Getenv("OSSVAULT_RANGE_MIB"); s != "" {
		mib, _ = strconv.Atoi(s)
	}
	srv, st := startOSS(t, osstest.WithMemoryStore())
	up, down := newEngines(t, st)
	up.PartSize = 0 // the default parts, 1 MiB chunks
	src, plain := writeRandom(t, t.TempDir(), "big", mib<<20)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "big", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	srv.Log.Reset()
	start := int64(mib<<20)/2 + 100
	rng := &ByteRange{Start: start, End: start + 1023}
	dest := filepath.Join(t.TempDir(), "out")
	res, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/big", Key: "big", Dest: dest, Range: rng}, nil)
	if err != nil || res.Integrity != envelope.Verified {
		t.Fatalf("%v, %+v", err, res)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, plain[start:start+1024]) {
		t.Fatal("the range differs")
	}
	var object, table, total int64
	for _, e := range srv.Log.Entries() {
		total += e.Out
		if e.Op != osslocal.OpGetObject {
			continue
		}
		switch e.Key {
		case "big":
			object += e.Out
		case LeavesKey("big"):
			table += e.Out
		}
	}
	t.Logf("a 1 KiB range of a %d MiB object: %d bytes of the object, %d of its leaf table, %d in all responses", mib, object, table, total)
	if object > envelope.DefaultChunkSize || table != envelope.LeafTableSize(res.Envelope.Integrity) {
		t.Fatalf("read %d bytes of the object and %d of its table; want one chunk (%d) and the table (%d)",
			object, table, envelope.DefaultChunkSize, envelope.LeafTableSize(res.Envelope.Integrity))
	}
}

func TestLeavesKey(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"a/b.txt", ".ossvault/leaves/a/b.txt"},
		{".ossvault/leaves/x", ""},
		{"", ""},
		{strings.Repeat("k", maxKeyLen-len(leavesPrefix)), leavesPrefix + strings.Repeat("k", maxKeyLen-len(leavesPrefix))},
		{strings.Repeat("k", maxKeyLen-len(leavesPrefix)+1), ""},
	} {
		if got := LeavesKey(tc.key); got != tc.want {
			t.Errorf("LeavesKey(%.20q) = %.40q, want %.40q", tc.key, got, tc.want)
		}
	}
	if !IsInternalKey(".ossvault/") || IsInternalKey(".ossvault") || IsInternalKey("a/.ossvault/") {
		t.Error("IsInternalKey")
	}
}
