package osslocal

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// MemoryStore keeps everything in memory. It is meant for fast unit tests;
// its contents vanish with the process.
type MemoryStore struct {
	mu      sync.Mutex
	now     func() time.Time
	buckets map[string]*memBucket
}

type memBucket struct {
	info    BucketInfo
	index   *keyIndex
	data    map[string]*memObject
	uploads map[string]*memUpload
}

type memObject struct {
	info ObjectInfo
	data []byte
	tags Tags
}

type memUpload struct {
	info  UploadInfo
	parts map[int]*memPart
}

type memPart struct {
	info PartInfo
	data []byte
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{now: time.Now, buckets: map[string]*memBucket{}}
}

func (s *MemoryStore) bucket(name string) (*memBucket, error) {
	b, ok := s.buckets[name]
	if !ok {
		return nil, fmt.Errorf("bucket %q: %w", name, ErrNoSuchBucket)
	}
	return b, nil
}

func (s *MemoryStore) CreateBucket(name string) error {
	if !validBucketName(name) {
		return fmt.Errorf("invalid bucket name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; ok {
		return fmt.Errorf("bucket %q: %w", name, ErrBucketExists)
	}
	s.buckets[name] = &memBucket{
		info:    BucketInfo{Name: name, Created: s.now().UTC()},
		index:   newKeyIndex(),
		data:    map[string]*memObject{},
		uploads: map[string]*memUpload{},
	}
	return nil
}

func (s *MemoryStore) DeleteBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	if b.index.len() > 0 || len(b.uploads) > 0 {
		return fmt.Errorf("bucket %q: %w", name, ErrBucketNotEmpty)
	}
	delete(s.buckets, name)
	return nil
}

func (s *MemoryStore) Bucket(name string) (BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return BucketInfo{}, err
	}
	return b.info, nil
}

func (s *MemoryStore) Buckets() ([]BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedBuckets(s.buckets), nil
}

// readAll reads body outside the lock, hashing it, and checks Content-MD5.
func readAll(body io.Reader, opts PutOptions) ([]byte, *digester, error) {
	var buf bytes.Buffer
	d, err := copyDigest(&buf, body)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to read the content: %w", err)
	}
	if opts.ContentMD5 != nil && !bytes.Equal(opts.ContentMD5, d.sum()) {
		return nil, nil, ErrBadDigest
	}
	return buf.Bytes(), d, nil
}

func (s *MemoryStore) PutObject(bucket, key string, meta Meta, body io.Reader, opts PutOptions) (ObjectInfo, error) {
	s.mu.Lock()
	_, err := s.bucket(bucket)
	s.mu.Unlock()
	if err != nil {
		return ObjectInfo{}, err
	}
	data, d, err := readAll(body, opts)
	if err != nil {
		return ObjectInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return ObjectInfo{}, err
	}
	info := ObjectInfo{Key: key, Size: d.n, ETag: etagOf(d.sum()), CRC64: d.crc, LastModified: s.now().UTC(), Meta: meta.Clone()}
	b.data[key] = &memObject{info: info, data: data}
	b.index.put(info)
	return info, nil
}

type memReader struct {
	*bytes.Reader
	info ObjectInfo
}

func (r memReader) Close() error     { return nil }
func (r memReader) Info() ObjectInfo { return r.info }

func (s *MemoryStore) OpenObject(bucket, key string) (Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	o, ok := b.data[key]
	if !ok {
		return nil, fmt.Errorf("object %q: %w", key, ErrNoSuchKey)
	}
	info := o.info
	info.Meta = o.info.Meta.Clone()
	// Objects are never modified in place, so sharing the slice is safe.
	return memReader{Reader: bytes.NewReader(o.data), info: info}, nil
}

func (s *MemoryStore) DeleteObject(bucket, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	delete(b.data, key)
	b.index.remove(key)
	return nil
}

func (s *MemoryStore) ListObjects(bucket string, q ListQuery) (ListPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return ListPage{}, err
	}
	return b.index.list(q), nil
}

// newUploadID returns a random upload ID in OSS's style (32 hex digits).
func newUploadID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%X", b[:])
}

func (s *MemoryStore) CreateUpload(bucket, key string, meta Meta) (UploadInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return UploadInfo{}, err
	}
	u := UploadInfo{Bucket: bucket, Key: key, UploadID: newUploadID(), Initiated: s.now().UTC(), Meta: meta.Clone()}
	b.uploads[u.UploadID] = &memUpload{info: u, parts: map[int]*memPart{}}
	return u, nil
}

func (s *MemoryStore) upload(bucket, id string) (*memBucket, *memUpload, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, nil, err
	}
	u, ok := b.uploads[id]
	if !ok {
		return nil, nil, fmt.Errorf("upload %q: %w", id, ErrNoSuchUpload)
	}
	return b, u, nil
}

func (s *MemoryStore) PutPart(bucket, uploadID string, n int, body io.Reader, opts PutOptions) (PartInfo, error) {
	s.mu.Lock()
	_, _, err := s.upload(bucket, uploadID)
	s.mu.Unlock()
	if err != nil {
		return PartInfo{}, err
	}
	data, d, err := readAll(body, opts)
	if err != nil {
		return PartInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, err := s.upload(bucket, uploadID)
	if err != nil {
		return PartInfo{}, err
	}
	p := PartInfo{Number: n, Size: d.n, MD5: d.sum(), ETag: etagOf(d.sum()), CRC64: d.crc, LastModified: s.now().UTC()}
	u.parts[n] = &memPart{info: p, data: data}
	return p, nil
}

func (u *memUpload) sortedParts() []PartInfo {
	out := make([]PartInfo, 0, len(u.parts))
	for _, p := range u.parts {
		out = append(out, p.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (s *MemoryStore) Upload(bucket, uploadID string) (UploadInfo, []PartInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, err := s.upload(bucket, uploadID)
	if err != nil {
		return UploadInfo{}, nil, err
	}
	info := u.info
	info.Meta = u.info.Meta.Clone()
	return info, u.sortedParts(), nil
}

func (s *MemoryStore) CompleteUpload(bucket, uploadID string, want []CompletePart) (ObjectInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, u, err := s.upload(bucket, uploadID)
	if err != nil {
		return ObjectInfo{}, err
	}
	parts, info, err := CheckComplete(u.info, u.sortedParts(), want)
	if err != nil {
		return ObjectInfo{}, err
	}
	data := make([]byte, 0, info.Size)
	for _, p := range parts {
		data = append(data, u.parts[p.Number].data...)
	}
	info.LastModified = s.now().UTC()
	b.data[info.Key] = &memObject{info: info, data: data}
	b.index.put(info)
	delete(b.uploads, uploadID)
	return info, nil
}

func (s *MemoryStore) AbortUpload(bucket, uploadID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _, err := s.upload(bucket, uploadID)
	if err != nil {
		return err
	}
	delete(b.uploads, uploadID)
	return nil
}

func (s *MemoryStore) Uploads(bucket string) ([]UploadInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	out := make([]UploadInfo, 0, len(b.uploads))
	for _, u := range b.uploads {
		info := u.info
		info.Meta = nil
		out = append(out, info)
	}
	sortUploads(out)
	return out, nil
}

// sortUploads orders uploads by key, then upload ID, the order that
// ListMultipartUploads' key-marker and upload-id-marker page through.
func sortUploads(us []UploadInfo) {
	sort.Slice(us, func(i, j int) bool {
		if us[i].Key != us[j].Key {
			return us[i].Key < us[j].Key
		}
		return us[i].UploadID < us[j].UploadID
	})
}

// bucketInfoer is a store's bucket: both stores list theirs through
// sortedBuckets.
type bucketInfoer interface{ bucketInfo() BucketInfo }

func (b *memBucket) bucketInfo() BucketInfo  { return b.info }
func (b *diskBucket) bucketInfo() BucketInfo { return b.info }

// sortedBuckets is the buckets of m by name, as ListBuckets answers them.
func sortedBuckets[B bucketInfoer](m map[string]B) []BucketInfo {
	out := make([]BucketInfo, 0, len(m))
	for _, b := range m {
		out = append(out, b.bucketInfo())
	}
	slices.SortFunc(out, func(a, b BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}
