package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// memStore is an in-memory Store for fast unit tests. The integration
// tests run the real SDK against the local OSS endpoint instead.
type memStore struct {
	mu      sync.Mutex
	objects map[string]*memObject
	uploads map[string]*memUpload
	next    int
	// fail, when set, may fail a call before it happens (op, part number).
	fail func(op string, part int) error
	ops  map[string]int
}

type memObject struct {
	data []byte
	meta map[string]string
	etag string
	tags map[string]string
}

type memUpload struct {
	key   string
	meta  map[string]string
	parts map[int][]byte
}

func newMemStore() *memStore {
	return &memStore{objects: map[string]*memObject{}, uploads: map[string]*memUpload{}, ops: map[string]int{}}
}

func (m *memStore) hook(op string, part int) error {
	m.mu.Lock()
	m.ops[op]++
	f := m.fail
	m.mu.Unlock()
	if f != nil {
		return f(op, part)
	}
	return nil
}

func (m *memStore) count(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ops[op]
}

func etagOf(b []byte) string {
	s := md5.Sum(b)
	return `"` + strings.ToUpper(hex.EncodeToString(s[:])) + `"`
}

func (m *memStore) header(o *memObject) http.Header {
	h := http.Header{}
	for k, v := range o.meta {
		h.Set("X-Oss-Meta-"+k, v)
	}
	h.Set("ETag", o.etag)
	h.Set("Content-Length", fmt.Sprint(len(o.data)))
	return h
}

func (m *memStore) Head(_ context.Context, key string) (ObjectInfo, error) {
	if err := m.hook("HeadObject", 0); err != nil {
		return ObjectInfo{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return ObjectInfo{}, &RemoteError{Op: "HeadObject", Status: 404}
	}
	return ObjectInfo{Key: key, Size: int64(len(o.data)), ETag: o.etag, Header: m.header(o)}, nil
}

func (m *memStore) GetRange(_ context.Context, key string, start, end int64, etag string) (io.ReadCloser, http.Header, error) {
	if err := m.hook("GetObject", 0); err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return nil, nil, &RemoteError{Op: "GetObject", Status: 404, Code: "NoSuchKey"}
	}
	if etag != "" && etag != o.etag {
		return nil, nil, &RemoteError{Op: "GetObject", Status: 412, Code: "PreconditionFailed"}
	}
	end = min(end, int64(len(o.data))-1)
	h := m.header(o)
	h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(o.data)))
	return io.NopCloser(bytes.NewReader(bytes.Clone(o.data[start : end+1]))), h, nil
}

func (m *memStore) Put(_ context.Context, key string, body io.ReadSeeker, size int64, meta map[string]string) error {
	if err := m.hook("PutObject", 0); err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(body, size))
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[key] = &memObject{data: b, meta: meta, etag: etagOf(b)}
	return nil
}

func (m *memStore) InitiateMultipart(_ context.Context, key string, meta map[string]string) (string, error) {
	if err := m.hook("InitiateMultipartUpload", 0); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	id := fmt.Sprintf("upload-%d", m.next)
	m.uploads[id] = &memUpload{key: key, meta: meta, parts: map[int][]byte{}}
	return id, nil
}

func (m *memStore) UploadPart(_ context.Context, key, uploadID string, n int, body io.ReadSeeker, size int64, meta map[string]string) (string, error) {
	if err := m.hook("UploadPart", n); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(body, size))
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[uploadID]
	if !ok || u.key != key {
		return "", &RemoteError{Op: "UploadPart", Status: 404, Code: "NoSuchUpload"}
	}
	if meta["client-side-encryption-key"] != u.meta["client-side-encryption-key"] {
		return "", &RemoteError{Op: "UploadPart", Status: 400, Code: "InvalidEncryptionRequest"}
	}
	u.parts[n] = b
	return etagOf(b), nil
}

func (m *memStore) ListParts(_ context.Context, key, uploadID string) (PartListing, error) {
	if err := m.hook("ListParts", 0); err != nil {
		return PartListing{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[uploadID]
	if !ok {
		return PartListing{}, &RemoteError{Op: "ListParts", Status: 404, Code: "NoSuchUpload"}
	}
	var l PartListing
	for n, b := range u.parts {
		l.Parts = append(l.Parts, Part{Number: n, ETag: etagOf(b), Size: int64(len(b))})
	}
	l.Meta = map[string]string{"client-side-encryption-key": u.meta["client-side-encryption-key"]}
	return l, nil
}

func (m *memStore) CompleteMultipart(_ context.Context, key, uploadID string, parts []Part) error {
	if err := m.hook("CompleteMultipartUpload", 0); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[uploadID]
	if !ok {
		return &RemoteError{Op: "CompleteMultipartUpload", Status: 404, Code: "NoSuchUpload"}
	}
	sort.Slice(parts, func(i, k int) bool { return parts[i].Number < parts[k].Number })
	var all []byte
	for _, p := range parts {
		b, ok := u.parts[p.Number]
		if !ok || etagOf(b) != p.ETag {
			return &RemoteError{Op: "CompleteMultipartUpload", Status: 400, Code: "InvalidPart"}
		}
		all = append(all, b...)
	}
	m.objects[key] = &memObject{data: all, meta: u.meta, etag: etagOf(all)}
	delete(m.uploads, uploadID)
	return nil
}

func (m *memStore) GetTagging(_ context.Context, key string) (map[string]string, error) {
	if err := m.hook("GetObjectTagging", 0); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return nil, ErrNoSuchObject
	}
	return maps.Clone(o.tags), nil
}

func (m *memStore) PutTagging(_ context.Context, key string, tags map[string]string) error {
	if err := m.hook("PutObjectTagging", 0); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return ErrNoSuchObject
	}
	o.tags = maps.Clone(tags)
	return nil
}

func (m *memStore) AbortMultipart(_ context.Context, key, uploadID string) error {
	if err := m.hook("AbortMultipartUpload", 0); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.uploads[uploadID]; !ok {
		return &RemoteError{Op: "AbortMultipartUpload", Status: 404, Code: "NoSuchUpload"}
	}
	delete(m.uploads, uploadID)
	return nil
}
