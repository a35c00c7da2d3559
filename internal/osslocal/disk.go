package osslocal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DiskStore keeps buckets in a folder. The layout is:
//
//	DIR/buckets/NAME/bucket.json                 creation time
//	DIR/buckets/NAME/objects/HH/SHA256(key)      key header, content, metadata trailer
//	DIR/buckets/NAME/uploads/ID/upload.json      key, metadata, initiation time
//	DIR/buckets/NAME/uploads/ID/part-NNNNN       part content, then trailer
//
// File names are hashes of object keys, so no key (spaces, "..", "//", a
// leading "/", any bytes) can name a path outside the folder; the key itself
// is kept in the trailer. Content and metadata live in one file so that a
// single rename publishes both: every file is written to a ".tmp-" file in
// the same directory, synced, renamed into place and the directory synced.
// A crash therefore leaves either the old object or the new one, plus
// perhaps a temp file, which NewDiskStore removes.
//
// The trailer is: JSON metadata, its length as a 4-byte big-endian integer,
// then the 8 bytes "OSSLOCv1". Putting it after the content lets a PUT
// stream the content before its size and hashes are known.
//
// The key header, before the content, is the 8 bytes "OSSLOCk1", the key's
// length as a 4-byte big-endian integer and the key; the trailer's "at"
// says where the content starts. It is what names a file whose trailer was
// damaged (a file cut short loses its end first): such an object stays in
// the listing and reading it fails with ErrDamaged, rather than the object
// vanishing. The file name, the hash of the key, vouches for a key read
// from a header. Files written before the header existed have none and
// "at" 0.
//
// Keys and listing information are kept in a sorted in-memory index built at
// start, so listing a page of a 100,000-object folder does not scan the disk.
type DiskStore struct {
	dir string

	mu      sync.Mutex // guards buckets and everything in them
	buckets map[string]*diskBucket

	// keyLocks serialise renames into one path with the index update that
	// goes with them, so the index always describes the file that won.
	keyLocks [64]sync.Mutex
}

type diskBucket struct {
	info    BucketInfo
	dir     string
	index   *keyIndex
	uploads map[string]*diskUpload
}

type diskUpload struct {
	mu   sync.Mutex // held while a part is published or the upload completes
	info UploadInfo // Meta included
	dir  string
	gone bool // completed or aborted
}

var _ Store = (*DiskStore)(nil)

// NewDiskStore opens (creating if needed) a store in dir, removes temp files
// left by a crash and loads the index.
func NewDiskStore(dir string) (*DiskStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("failed to resolve the store folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(abs, "buckets"), 0o700); err != nil {
		return nil, fmt.Errorf("failed to create the store folder: %w", err)
	}
	s := &DiskStore{dir: abs, buckets: map[string]*diskBucket{}}
	entries, err := os.ReadDir(filepath.Join(abs, "buckets"))
	if err != nil {
		return nil, fmt.Errorf("failed to read the store folder: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !validBucketName(e.Name()) {
			continue
		}
		b, err := s.loadBucket(e.Name())
		if err != nil {
			return nil, err
		}
		if b != nil {
			s.buckets[b.info.Name] = b
		}
	}
	return s, nil
}

// Dir returns the store's folder.
func (s *DiskStore) Dir() string { return s.dir }

func (s *DiskStore) bucketDir(name string) string { return filepath.Join(s.dir, "buckets", name) }

type bucketFile struct {
	Created time.Time `json:"created"`
}

func (s *DiskStore) loadBucket(name string) (*diskBucket, error) {
	dir := s.bucketDir(name)
	raw, err := os.ReadFile(filepath.Join(dir, "bucket.json"))
	if errors.Is(err, fs.ErrNotExist) {
		// A bucket whose creation did not finish; it holds nothing.
		return nil, os.RemoveAll(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read bucket %q: %w", name, err)
	}
	var bf bucketFile
	if err := json.Unmarshal(raw, &bf); err != nil {
		return nil, fmt.Errorf("failed to read bucket %q: %w", name, err)
	}
	b := &diskBucket{info: BucketInfo{Name: name, Created: bf.Created}, dir: dir, index: newKeyIndex(), uploads: map[string]*diskUpload{}}
	if err := b.loadObjects(); err != nil {
		return nil, fmt.Errorf("failed to load bucket %q: %w", name, err)
	}
	if err := b.loadUploads(); err != nil {
		return nil, fmt.Errorf("failed to load the uploads of bucket %q: %w", name, err)
	}
	return b, nil
}

func (b *diskBucket) loadObjects() error {
	root := filepath.Join(b.dir, "objects")
	fans, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, fan := range fans {
		if !fan.IsDir() {
			continue
		}
		names, err := os.ReadDir(filepath.Join(root, fan.Name()))
		if err != nil {
			return err
		}
		for _, n := range names {
			p := filepath.Join(root, fan.Name(), n.Name())
			if isTagsFile(n.Name()) {
				continue
			}
			if strings.HasPrefix(n.Name(), tmpPrefix) {
				if err := os.Remove(p); err != nil {
					return err
				}
				continue
			}
			info, err := readObjectInfo(p)
			if err != nil || keyFile(info.Key) != n.Name() {
				if key, ok := readKeyHeader(p); ok && keyFile(key) == n.Name() {
					// Ours, but damaged: listed, so that it does not
					// vanish, and refused when read.
					b.index.put(damagedInfo(p, key))
				}
				// Otherwise not written by this store (or damaged
				// past naming): leave it alone, do not serve it.
				continue
			}
			info.Meta = nil
			b.index.put(info)
		}
	}
	return nil
}

// keyFile is the file name for an object key.
func keyFile(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func (b *diskBucket) objectPath(key string) string {
	name := keyFile(key)
	return filepath.Join(b.dir, "objects", name[:2], name)
}

func (s *DiskStore) keyLock(bucket, key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(bucket))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return &s.keyLocks[h.Sum32()%uint32(len(s.keyLocks))]
}

func (s *DiskStore) getBucket(name string) (*diskBucket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return nil, fmt.Errorf("bucket %q: %w", name, ErrNoSuchBucket)
	}
	return b, nil
}

func (s *DiskStore) CreateBucket(name string) error {
	if !validBucketName(name) {
		return fmt.Errorf("invalid bucket name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; ok {
		return fmt.Errorf("bucket %q: %w", name, ErrBucketExists)
	}
	dir := s.bucketDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("failed to create bucket %q: %w", name, err)
	}
	created := time.Now().UTC()
	raw, _ := json.Marshal(bucketFile{Created: created})
	if err := writeFileAtomic(filepath.Join(dir, "bucket.json"), raw); err != nil {
		return fmt.Errorf("failed to create bucket %q: %w", name, err)
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return fmt.Errorf("failed to create bucket %q: %w", name, err)
	}
	s.buckets[name] = &diskBucket{info: BucketInfo{Name: name, Created: created}, dir: dir, index: newKeyIndex(), uploads: map[string]*diskUpload{}}
	return nil
}

func (s *DiskStore) DeleteBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return fmt.Errorf("bucket %q: %w", name, ErrNoSuchBucket)
	}
	if b.index.len() > 0 || len(b.uploads) > 0 {
		return fmt.Errorf("bucket %q: %w", name, ErrBucketNotEmpty)
	}
	// Remove the marker first: a crash part-way leaves a folder that the
	// next start discards instead of a half-deleted bucket.
	if err := os.Remove(filepath.Join(b.dir, "bucket.json")); err != nil {
		return fmt.Errorf("failed to delete bucket %q: %w", name, err)
	}
	delete(s.buckets, name)
	if err := os.RemoveAll(b.dir); err != nil {
		return fmt.Errorf("failed to delete bucket %q: %w", name, err)
	}
	return syncDir(filepath.Dir(b.dir))
}

func (s *DiskStore) Bucket(name string) (BucketInfo, error) {
	b, err := s.getBucket(name)
	if err != nil {
		return BucketInfo{}, err
	}
	return b.info, nil
}

func (s *DiskStore) Buckets() ([]BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedBuckets(s.buckets), nil
}

func (s *DiskStore) PutObject(bucket, key string, meta Meta, body io.Reader, opts PutOptions) (ObjectInfo, error) {
	b, err := s.getBucket(bucket)
	if err != nil {
		return ObjectInfo{}, err
	}
	final := b.objectPath(key)
	var info ObjectInfo
	tmp, err := writeTemp(filepath.Dir(final), func(f *os.File) error {
		at, err := writeKeyHeader(f, key)
		if err != nil {
			return fmt.Errorf("failed to store the content: %w", err)
		}
		d, err := copyDigest(f, body)
		if err != nil {
			return fmt.Errorf("failed to store the content: %w", err)
		}
		if opts.ContentMD5 != nil && !bytes.Equal(opts.ContentMD5, d.sum()) {
			return ErrBadDigest
		}
		info = ObjectInfo{Key: key, Size: d.n, ETag: etagOf(d.sum()), CRC64: d.crc, LastModified: time.Now().UTC(), Meta: meta.Clone()}
		return writeTrailer(f, trailerOf(info, at))
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := s.publish(b, tmp, final, info); err != nil {
		return ObjectInfo{}, err
	}
	return info, nil
}

// publish renames a finished temp file over the object's path and records
// it in the index.
func (s *DiskStore) publish(b *diskBucket, tmp, final string, info ObjectInfo) error {
	l := s.keyLock(b.info.Name, info.Key)
	l.Lock()
	defer l.Unlock()
	if err := replaceFile(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("failed to store object %q: %w", info.Key, err)
	}
	removeTags(final)
	if err := syncDir(filepath.Dir(final)); err != nil {
		return fmt.Errorf("failed to store object %q: %w", info.Key, err)
	}
	s.mu.Lock()
	b.index.put(info)
	s.mu.Unlock()
	return nil
}

// maxHeaderKey bounds the key length a header may claim; OSS keys are at
// most 1023 bytes, and a damaged length must not make a huge read.
const maxHeaderKey = 4096

type diskObject struct {
	f    *os.File
	info ObjectInfo
	at   int64 // where the content starts in f
}

func (o *diskObject) Info() ObjectInfo { return o.info }
func (o *diskObject) Close() error     { return o.f.Close() }

// ReadAt reads content only, never the trailer.
func (o *diskObject) ReadAt(p []byte, off int64) (int, error) {
	if off >= o.info.Size {
		return 0, io.EOF
	}
	short := false
	if rest := o.info.Size - off; int64(len(p)) > rest {
		p = p[:rest]
		short = true
	}
	n, err := o.f.ReadAt(p, o.at+off)
	if err == nil && short {
		err = io.EOF
	}
	return n, err
}

func (s *DiskStore) OpenObject(bucket, key string) (Object, error) {
	b, err := s.getBucket(bucket)
	if err != nil {
		return nil, err
	}
	f, err := openObjectFile(b.objectPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("object %q: %w", key, ErrNoSuchKey)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to open object %q: %w", key, err)
	}
	// The open file is a snapshot: a later rename replaces the name, not
	// this file.
	t, err := readObjectTrailer(f)
	if errors.Is(err, errBadTrailer) || (err == nil && string(t.Key) != key) {
		// The file named for this key is not whole: say so rather than
		// "no such key", which would invite writing over a copy that
		// might be recovered from the folder.
		f.Close()
		return nil, fmt.Errorf("object %q: %w", key, ErrDamaged)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to read object %q: %w", key, err)
	}
	return &diskObject{f: f, info: t.info(), at: t.At}, nil
}

func (s *DiskStore) DeleteObject(bucket, key string) error {
	b, err := s.getBucket(bucket)
	if err != nil {
		return err
	}
	l := s.keyLock(bucket, key)
	l.Lock()
	defer l.Unlock()
	p := b.objectPath(key)
	removeTags(p)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("failed to delete object %q: %w", key, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("failed to delete object %q: %w", key, err)
	}
	s.mu.Lock()
	b.index.remove(key)
	s.mu.Unlock()
	return nil
}

func (s *DiskStore) ListObjects(bucket string, q ListQuery) (ListPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucket]
	if !ok {
		return ListPage{}, fmt.Errorf("bucket %q: %w", bucket, ErrNoSuchBucket)
	}
	return b.index.list(q), nil
}

var errBadTrailer = errors.New("not a file written by this store (bad trailer)")
