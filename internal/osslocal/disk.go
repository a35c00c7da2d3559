package osslocal

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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

const (
	trailerMagic = "OSSLOCv1"
	headerMagic  = "OSSLOCk1"
	tmpPrefix    = ".tmp-"
)

type objectTrailer struct {
	Key          rawString `json:"key"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	CRC64        uint64    `json:"crc64"`
	LastModified time.Time `json:"lastModified"`
	Multipart    bool      `json:"multipart,omitempty"`
	Meta         rawMeta   `json:"meta,omitempty"`
	// At is where the content starts: the key header's length.
	At int64 `json:"at,omitempty"`
}

// rawString is a string that survives JSON even when it is not valid UTF-8
// (encoding/json would replace such bytes with U+FFFD and so change the
// key): those are written as {"base64":"..."}.
type rawString string

type base64Form struct {
	Base64 []byte `json:"base64"`
}

func (r rawString) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(string(r)) {
		return json.Marshal(string(r))
	}
	return json.Marshal(base64Form{Base64: []byte(r)})
}

func (r *rawString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var f base64Form
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*r = rawString(f.Base64)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*r = rawString(s)
	return nil
}

type rawMeta map[string]rawString

func toRawMeta(m Meta) rawMeta {
	if m == nil {
		return nil
	}
	out := make(rawMeta, len(m))
	for k, v := range m {
		out[k] = rawString(v)
	}
	return out
}

func (m rawMeta) meta() Meta {
	out := make(Meta, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

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
	out := make([]BucketInfo, 0, len(s.buckets))
	for _, b := range s.buckets {
		out = append(out, b.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
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
	if err := os.Rename(tmp, final); err != nil {
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

// trailerOf is the trailer of an object whose content starts at at.
func trailerOf(info ObjectInfo, at int64) objectTrailer {
	return objectTrailer{Key: rawString(info.Key), Size: info.Size, ETag: info.ETag, CRC64: info.CRC64,
		LastModified: info.LastModified, Multipart: info.Multipart, Meta: toRawMeta(info.Meta), At: at}
}

// writeKeyHeader writes the key header and returns its length.
func writeKeyHeader(w io.Writer, key string) (int64, error) {
	raw := make([]byte, 0, len(headerMagic)+4+len(key))
	raw = append(raw, headerMagic...)
	raw = binary.BigEndian.AppendUint32(raw, uint32(len(key)))
	raw = append(raw, key...)
	_, err := w.Write(raw)
	return int64(len(raw)), err
}

// maxHeaderKey bounds the key length a header may claim; OSS keys are at
// most 1023 bytes, and a damaged length must not make a huge read.
const maxHeaderKey = 4096

// readKeyHeader returns the key in the header of the file at path, if it
// has a readable one.
func readKeyHeader(path string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	var head [len(headerMagic) + 4]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || string(head[:len(headerMagic)]) != headerMagic {
		return "", false
	}
	n := binary.BigEndian.Uint32(head[len(headerMagic):])
	if n > maxHeaderKey {
		return "", false
	}
	key := make([]byte, n)
	if _, err := io.ReadFull(f, key); err != nil {
		return "", false
	}
	return string(key), true
}

// damagedInfo is the listing of a damaged object: its key, and its file's
// time; its size and ETag are unknown.
func damagedInfo(path, key string) ObjectInfo {
	info := ObjectInfo{Key: key, Damaged: true}
	if st, err := os.Stat(path); err == nil {
		info.LastModified = st.ModTime().UTC()
	}
	return info
}

func (t objectTrailer) info() ObjectInfo {
	return ObjectInfo{Key: string(t.Key), Size: t.Size, ETag: t.ETag, CRC64: t.CRC64, LastModified: t.LastModified, Multipart: t.Multipart, Meta: t.Meta.meta()}
}

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
	f, err := os.Open(b.objectPath(key))
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

func readObjectInfo(path string) (ObjectInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer f.Close()
	t, err := readObjectTrailer(f)
	if err != nil {
		return ObjectInfo{}, err
	}
	return t.info(), nil
}

func readObjectTrailer(f *os.File) (objectTrailer, error) {
	var t objectTrailer
	n, err := readTrailer(f, &t)
	if err != nil {
		return t, err
	}
	if t.At < 0 || n-t.At != t.Size {
		return t, errBadTrailer
	}
	return t, nil
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

// writeTemp creates a temp file in dir, lets fill write it, syncs and closes
// it, and returns its path. On any error the temp file is removed.
func writeTemp(dir string, fill func(*os.File) error) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("failed to create a folder in the store: %w", err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("failed to create a temp file in the store: %w", err)
	}
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := writeTemp(filepath.Dir(path), func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeTrailer(w io.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	raw = binary.BigEndian.AppendUint32(raw, uint32(len(raw)))
	raw = append(raw, trailerMagic...)
	_, err = w.Write(raw)
	return err
}

var errBadTrailer = errors.New("not a file written by this store (bad trailer)")

// readTrailer decodes the trailer at the end of f into v and returns the
// length of the content before it.
func readTrailer(f *os.File, v any) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	const fixed = 4 + len(trailerMagic)
	if size < int64(fixed) {
		return 0, errBadTrailer
	}
	var tail [fixed]byte
	if _, err := f.ReadAt(tail[:], size-int64(fixed)); err != nil {
		return 0, err
	}
	if string(tail[4:]) != trailerMagic {
		return 0, errBadTrailer
	}
	n := int64(binary.BigEndian.Uint32(tail[:4]))
	if n > size-int64(fixed) || n > 1<<24 {
		return 0, errBadTrailer
	}
	raw := make([]byte, n)
	if _, err := f.ReadAt(raw, size-int64(fixed)-n); err != nil {
		return 0, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return 0, errBadTrailer
	}
	return size - int64(fixed) - n, nil
}
