package interop_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// TestSDKWritesOssvaultReads: an official SDK writes an object (one PUT or
// a multipart upload), and ossvault reads it whole and in ranges, through
// the transfer Downloader (the product path) and through the envelope
// package over a plain SDK GET (for a true HTTP suffix range, which the
// Downloader turns into an absolute one).
func TestSDKWritesOssvaultReads(t *testing.T) {
	w := newWorld(t)
	for _, wr := range sdkWriters {
		for _, m := range w.masters() {
			for _, mc := range matdescs {
				t.Run(wr.name+"/"+m.name+"/"+mc.name, func(t *testing.T) {
					t.Parallel()
					for _, s := range sdkShapes {
						if s.noDataSize && wr.needsDataSize {
							continue
						}
						t.Run(s.name, func(t *testing.T) {
							key := objectKey(t)
							data := payload(t.Name(), s.size)
							wr.write(t, w, m, mc.md, key, data, s)
							checkSDKObject(t, w, m, mc.md, key, data, s)
							keys := keyringFor(m)
							t.Run("transfer.Downloader", func(t *testing.T) {
								ourDownloads(t, w, m, mc.md, keys, key, data, s)
							})
							t.Run("transfer.Link", func(t *testing.T) {
								ourLinkDownload(t, w, keys, key, data)
							})
							t.Run("envelope+plain-GET", func(t *testing.T) {
								ourPlainReads(t, w, keys, key, data, s)
							})
							// The other SDK reads it too.
							other := sdkReaders[0]
							if wr.name == sdkWriters[0].name {
								other = sdkReaders[2]
							}
							t.Run(other.name, func(t *testing.T) {
								sameBytes(t, "whole object", other.read(t, w, m, mc.md, key, nil), data)
							})
						})
					}
				})
			}
		}
	}
}

// checkSDKObject checks the stored headers an SDK wrote: the envelope of
// master m with matdesc md exactly as the SDK computes it (and none at all
// without one), the multipart sizes, and no ossvault headers.
func checkSDKObject(t *testing.T, w *world, m master, md map[string]string, key string, data []byte, s shape) {
	t.Helper()
	info, err := w.store.Head(context.Background(), key)
	if err != nil {
		t.Fatalf("HEAD: %v", err)
	}
	if info.Size != s.size {
		t.Errorf("stored size %d, want %d (CTR keeps the length)", info.Size, s.size)
	}
	h := info.Header
	meta := func(name string) []string { return h.Values(envelope.MetaPrefix + name) }
	if got := meta(envelope.HeaderWrapAlg); len(got) != 1 || got[0] != m.wrapAlg {
		t.Errorf("wrap-alg %q, want %q", got, m.wrapAlg)
	}
	wantMD := m.v1(t, md).GetMatDesc()
	if v2md := m.v2(t, md).GetMatDesc(); v2md != wantMD {
		t.Fatalf("the SDKs describe the key differently: v1 %q, v2 %q", wantMD, v2md)
	}
	switch got := meta(envelope.HeaderMatDesc); {
	case md == nil && len(got) != 0:
		t.Errorf("matdesc header %q present, want none", got)
	case md != nil && (len(got) != 1 || got[0] != wantMD):
		t.Errorf("matdesc header %q, want %q", got, wantMD)
	}
	checkParts(t, w, key, s)
	sizes := map[string]string{}
	if s.multipart() {
		sizes[envelope.HeaderPartSize] = strconv.FormatInt(s.partSize, 10)
	}
	if s.dataSize() > 0 {
		sizes[envelope.HeaderDataSize] = strconv.FormatInt(s.dataSize(), 10)
	}
	for _, name := range []string{envelope.HeaderPartSize, envelope.HeaderDataSize, envelope.HeaderMACAlg, envelope.HeaderMAC, envelope.HeaderKeyCheck} {
		if got := h.Get(envelope.MetaPrefix + name); got != sizes[name] {
			t.Errorf("header %s = %q, want %q", name, got, sizes[name])
		}
	}
	if len(data) >= 32 {
		body, _, err := w.store.GetRange(context.Background(), key, 0, 31, info.ETag)
		if err != nil {
			t.Fatal(err)
		}
		head, err := io.ReadAll(body)
		body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(head, data[:32]) {
			t.Error("the SDK stored plaintext")
		}
	}
}

// ourDownloads reads an SDK-written object with the transfer Downloader:
// the whole object (integrity Unverified: another client wrote it), a range
// from an unaligned offset across a part boundary, and a suffix range.
func ourDownloads(t *testing.T, w *world, m master, md map[string]string, keys transfer.Keys, key string, data []byte, s shape) {
	down := w.downloader(t, keys)
	get := func(t *testing.T, r *transfer.ByteRange) (*transfer.Result, []byte) {
		t.Helper()
		dest := filepath.Join(t.TempDir(), "out.bin")
		res, err := down.Download(context.Background(), transfer.DownloadJob{
			Source: w.store, SourceID: "oss://" + bucketName + "/" + key, Key: key, Dest: dest, Range: r,
		}, nil)
		if err != nil {
			t.Fatalf("Download: %v", err)
		}
		return res, readFile(t, dest)
	}
	t.Run("whole", func(t *testing.T) {
		res, got := get(t, nil)
		sameBytes(t, "download", got, data)
		if res.Integrity != envelope.Unverified {
			t.Errorf("integrity %v, want %v for another client's object", res.Integrity, envelope.Unverified)
		}
		if !res.Encrypted() || res.Envelope.WrapAlg != m.wrapAlg || !res.Envelope.MatDesc.Equal(md) {
			t.Errorf("envelope: encrypted %v, wrap-alg %q, matdesc %v; want %q, %v", res.Encrypted(), envOrNil(res).WrapAlg, envOrNil(res).MatDesc, m.wrapAlg, md)
		}
		if res.Written != s.size {
			t.Errorf("wrote %d bytes, want %d", res.Written, s.size)
		}
	})
	t.Run("check", func(t *testing.T) {
		res, err := down.Check(context.Background(), w.store, key, nil)
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		if res.Integrity != envelope.Unverified || res.Written != s.size {
			t.Errorf("Check: integrity %v, %d bytes; want %v, %d", res.Integrity, res.Written, envelope.Unverified, s.size)
		}
	})
	for _, rng := range ranges(s) {
		t.Run(rng.String(), func(t *testing.T) {
			res, got := get(t, &transfer.ByteRange{Start: rng.start, End: rng.end})
			sameBytes(t, "ranged download", got, data[rng.start:rng.end+1])
			if res.Integrity != envelope.Unverified {
				t.Errorf("integrity %v, want %v", res.Integrity, envelope.Unverified)
			}
		})
	}
	for _, n := range suffixes(s) {
		t.Run(fmt.Sprintf("suffix-%d", n), func(t *testing.T) {
			_, got := get(t, &transfer.ByteRange{Suffix: n})
			sameBytes(t, "suffix download", got, data[s.size-n:])
		})
	}
}

// ourLinkDownload reads an SDK-written object the way a colleague without
// an OSS account does: through a presigned link, with the key.
func ourLinkDownload(t *testing.T, w *world, keys transfer.Keys, key string, data []byte) {
	raw, err := w.store.SignURL(key, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	link, err := transfer.ParseLink(raw)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "out.bin")
	res, err := w.downloader(t, keys).Download(context.Background(), transfer.DownloadJob{Source: link, SourceID: link.ID(), Key: key, Dest: dest}, nil)
	if err != nil {
		t.Fatalf("Download through the link: %v", err)
	}
	sameBytes(t, "link download", readFile(t, dest), data)
	if res.Integrity != envelope.Unverified {
		t.Errorf("integrity %v, want %v", res.Integrity, envelope.Unverified)
	}
}

func envOrNil(r *transfer.Result) *envelope.Envelope {
	if r == nil || r.Envelope == nil {
		return &envelope.Envelope{}
	}
	return r.Envelope
}

// ourPlainReads decrypts plain SDK GETs with the envelope package, taking
// the offset from Content-Range: an HTTP suffix range ("bytes=-N", through
// the v1 SDK) and an unaligned range (through the v2 SDK).
func ourPlainReads(t *testing.T, w *world, keys transfer.Keys, key string, data []byte, s shape) {
	if s.size == 0 {
		var h http.Header
		body, err := w.v1Bucket(t, sigV1).GetObject(key, oss.GetResponseHeader(&h))
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "empty object", decrypt(t, keys, h, body), nil)
		return
	}
	for _, n := range suffixes(s) {
		t.Run(fmt.Sprintf("v1-suffix-%d", n), func(t *testing.T) {
			var h http.Header
			body, err := w.v1Bucket(t, sigV1).GetObject(key, oss.NormalizedRange(fmt.Sprintf("-%d", n)), oss.GetResponseHeader(&h))
			if err != nil {
				t.Fatalf("plain v1 GetObject: %v", err)
			}
			sameBytes(t, "suffix read", decrypt(t, keys, h, body), data[s.size-n:])
		})
	}
	for _, rng := range ranges(s) {
		t.Run("v2-"+rng.String(), func(t *testing.T) {
			res, err := w.v2Client(sigV4, w.oss.AccessKeySecret).GetObject(context.Background(), &v2.GetObjectRequest{
				Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), Range: v2.Ptr(fmt.Sprintf("bytes=%d-%d", rng.start, rng.end)),
			})
			if err != nil {
				t.Fatalf("plain v2 GetObject: %v", err)
			}
			sameBytes(t, "ranged read", decrypt(t, keys, res.Headers, res.Body), data[rng.start:rng.end+1])
		})
	}
}

// decrypt opens the envelope in h with keys and decrypts body from the
// offset the server's Content-Range names.
func decrypt(t *testing.T, keys transfer.Keys, h http.Header, body io.ReadCloser) []byte {
	t.Helper()
	defer body.Close()
	ctx := context.Background()
	e, err := envelope.ParseHeader(h)
	if err != nil {
		t.Fatalf("ParseHeader: %v", err)
	}
	ids, err := keys.Identities(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	dk, err := envelope.Open(ctx, e, ids...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var offset int64
	if cr := h.Get("Content-Range"); cr != "" {
		if offset, _, _, err = envelope.ParseContentRange(cr); err != nil {
			t.Fatalf("ParseContentRange(%q): %v", cr, err)
		}
	}
	b, err := io.ReadAll(envelope.NewReader(body, dk, offset))
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return b
}

// TestSDKWritesUnknownMatDesc: an object whose matdesc names no registered
// key is refused with ErrNoKey naming that matdesc, not decrypted with
// whatever key is at hand.
func TestSDKWritesUnknownMatDesc(t *testing.T) {
	w := newWorld(t)
	m := w.masters()[0]
	md := map[string]string{"desc": "a key nobody here has"}
	key := objectKey(t)
	data := payload(t.Name(), 1000)
	writeV2(t, w, m, md, key, data, shape{name: "put", size: int64(len(data))})
	down := w.downloader(t, keyringFor(m))
	_, err := down.Download(context.Background(), transfer.DownloadJob{
		Source: w.store, SourceID: "oss://" + bucketName + "/" + key, Key: key, Dest: filepath.Join(t.TempDir(), "out"),
	}, nil)
	var nk *envelope.NoKeyError
	if !errors.Is(err, envelope.ErrNoKey) || !errors.As(err, &nk) || nk.MatDesc != m.v2(t, md).GetMatDesc() {
		t.Fatalf("Download = %v, want a NoKeyError naming matdesc %q", err, m.v2(t, md).GetMatDesc())
	}
}

// TestSDKWritesUnencryptedHeaders: when the caller gives the SDKs the
// plaintext's Content-Length and Content-MD5, they move them into the
// unencrypted-content-* headers (the stored bytes have another MD5).
// ossvault reads such objects and reports both values as written.
func TestSDKWritesUnencryptedHeaders(t *testing.T) {
	w := newWorld(t)
	for _, m := range w.masters() {
		for _, tc := range []struct {
			name  string
			write func(t *testing.T, key string, data []byte, md5 string)
		}{
			{"v1-CryptoBucket", func(t *testing.T, key string, data []byte, md5 string) {
				cb, err := osscrypto.GetCryptoBucket(w.v1Client(t, sigV1, w.oss.AccessKeySecret), bucketName, osscrypto.CreateAesCtrCipher(m.v1(t, nil)))
				if err != nil {
					t.Fatal(err)
				}
				if err := cb.PutObject(key, bytes.NewReader(data), oss.ContentLength(int64(len(data))), oss.ContentMD5(md5)); err != nil {
					t.Fatalf("v1 CryptoBucket.PutObject: %v", err)
				}
			}},
			{"v2-EncryptionClient", func(t *testing.T, key string, data []byte, md5 string) {
				ec, err := v2.NewEncryptionClient(w.v2Client(sigV4, w.oss.AccessKeySecret), m.v2(t, nil))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ec.PutObject(context.Background(), &v2.PutObjectRequest{
					Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), Body: bytes.NewReader(data),
					ContentLength: v2.Ptr(int64(len(data))), ContentMD5: v2.Ptr(md5),
				}); err != nil {
					t.Fatalf("v2 EncryptionClient.PutObject: %v", err)
				}
			}},
		} {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				key := objectKey(t)
				data := payload(t.Name(), 70_001)
				sum := md5.Sum(data)
				b64 := base64.StdEncoding.EncodeToString(sum[:])
				tc.write(t, key, data, b64)
				dest := filepath.Join(t.TempDir(), "out")
				res, err := w.downloader(t, keyringFor(m)).Download(context.Background(), transfer.DownloadJob{
					Source: w.store, SourceID: "oss://" + bucketName + "/" + key, Key: key, Dest: dest,
				}, nil)
				if err != nil {
					t.Fatalf("Download: %v", err)
				}
				sameBytes(t, "download", readFile(t, dest), data)
				if res.Integrity != envelope.Unverified {
					t.Errorf("integrity %v, want %v", res.Integrity, envelope.Unverified)
				}
				if e := res.Envelope; e.UnencryptedLength != int64(len(data)) || e.UnencryptedMD5 != b64 {
					t.Errorf("unencrypted length %d and MD5 %q; want %d and %q", e.UnencryptedLength, e.UnencryptedMD5, len(data), b64)
				}
			})
		}
	}
}
