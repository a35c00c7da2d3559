package osslocal

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

type uploadFile struct {
	Key       rawString `json:"key"`
	Initiated time.Time `json:"initiated"`
	Meta      rawMeta   `json:"meta,omitempty"`
}

type partTrailer struct {
	Number       int       `json:"number"`
	Size         int64     `json:"size"`
	MD5          string    `json:"md5"`
	CRC64        uint64    `json:"crc64"`
	LastModified time.Time `json:"lastModified"`
}

func (t partTrailer) info() (PartInfo, error) {
	sum, err := hex.DecodeString(t.MD5)
	if err != nil || len(sum) != 16 {
		return PartInfo{}, errBadTrailer
	}
	return PartInfo{Number: t.Number, Size: t.Size, MD5: sum, ETag: etagOf(sum), CRC64: t.CRC64, LastModified: t.LastModified}, nil
}

func partFile(n int) string { return fmt.Sprintf("part-%05d", n) }

// validUploadID reports whether id could have come from newUploadID; IDs
// from requests are checked before they go near a path.
func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (b *diskBucket) loadUploads() error {
	root := filepath.Join(b.dir, "uploads")
	ids, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ids {
		dir := filepath.Join(root, e.Name())
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			continue
		}
		if !e.IsDir() || !validUploadID(strings.ToLower(e.Name())) {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, "upload.json"))
		if errors.Is(err, fs.ErrNotExist) {
			// Initiation did not finish: no client ever saw this ID.
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		var uf uploadFile
		if err := json.Unmarshal(raw, &uf); err != nil {
			continue
		}
		parts, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if strings.HasPrefix(p.Name(), tmpPrefix) {
				if err := os.Remove(filepath.Join(dir, p.Name())); err != nil {
					return err
				}
			}
		}
		b.uploads[e.Name()] = &diskUpload{
			info: UploadInfo{Bucket: b.info.Name, Key: string(uf.Key), UploadID: e.Name(), Initiated: uf.Initiated, Meta: uf.Meta.meta()},
			dir:  dir,
		}
	}
	return nil
}

func (s *DiskStore) CreateUpload(bucket, key string, meta Meta) (UploadInfo, error) {
	b, err := s.getBucket(bucket)
	if err != nil {
		return UploadInfo{}, err
	}
	info := UploadInfo{Bucket: bucket, Key: key, UploadID: newUploadID(), Initiated: time.Now().UTC(), Meta: meta.Clone()}
	dir := filepath.Join(b.dir, "uploads", info.UploadID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return UploadInfo{}, fmt.Errorf("failed to start an upload: %w", err)
	}
	raw, _ := json.Marshal(uploadFile{Key: rawString(key), Initiated: info.Initiated, Meta: toRawMeta(info.Meta)})
	if err := writeFileAtomic(filepath.Join(dir, "upload.json"), raw); err != nil {
		os.RemoveAll(dir)
		return UploadInfo{}, fmt.Errorf("failed to start an upload: %w", err)
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return UploadInfo{}, fmt.Errorf("failed to start an upload: %w", err)
	}
	s.mu.Lock()
	b.uploads[info.UploadID] = &diskUpload{info: info, dir: dir}
	s.mu.Unlock()
	return info, nil
}

func (s *DiskStore) getUpload(bucket, id string) (*diskBucket, *diskUpload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucket]
	if !ok {
		return nil, nil, fmt.Errorf("bucket %q: %w", bucket, ErrNoSuchBucket)
	}
	u, ok := b.uploads[id]
	if !ok {
		return nil, nil, fmt.Errorf("upload %q: %w", id, ErrNoSuchUpload)
	}
	return b, u, nil
}

func (s *DiskStore) PutPart(bucket, uploadID string, n int, body io.Reader, opts PutOptions) (PartInfo, error) {
	_, u, err := s.getUpload(bucket, uploadID)
	if err != nil {
		return PartInfo{}, err
	}
	var info PartInfo
	tmp, err := writeTemp(u.dir, func(f *os.File) error {
		d, err := copyDigest(f, body)
		if err != nil {
			return fmt.Errorf("failed to store the part: %w", err)
		}
		sum := d.sum()
		if opts.ContentMD5 != nil && !bytes.Equal(opts.ContentMD5, sum) {
			return ErrBadDigest
		}
		info = PartInfo{Number: n, Size: d.n, MD5: sum, ETag: etagOf(sum), CRC64: d.crc, LastModified: time.Now().UTC()}
		return writeTrailer(f, partTrailer{Number: n, Size: d.n, MD5: hex.EncodeToString(sum), CRC64: d.crc, LastModified: info.LastModified})
	})
	if err != nil {
		return PartInfo{}, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.gone {
		os.Remove(tmp)
		return PartInfo{}, fmt.Errorf("upload %q: %w", uploadID, ErrNoSuchUpload)
	}
	if err := os.Rename(tmp, filepath.Join(u.dir, partFile(n))); err != nil {
		os.Remove(tmp)
		return PartInfo{}, fmt.Errorf("failed to store part %d: %w", n, err)
	}
	if err := syncDir(u.dir); err != nil {
		return PartInfo{}, fmt.Errorf("failed to store part %d: %w", n, err)
	}
	return info, nil
}

// parts reads the upload's part trailers; the caller holds u.mu.
func (u *diskUpload) parts() ([]PartInfo, error) {
	entries, err := os.ReadDir(u.dir)
	if err != nil {
		return nil, fmt.Errorf("failed to list parts: %w", err)
	}
	var out []PartInfo
	for _, e := range entries {
		num, ok := strings.CutPrefix(e.Name(), "part-")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		p, err := readPart(filepath.Join(u.dir, e.Name()))
		if err != nil || p.Number != n {
			continue
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

func readPart(path string) (PartInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return PartInfo{}, err
	}
	defer f.Close()
	var t partTrailer
	n, err := readTrailer(f, &t)
	if err != nil {
		return PartInfo{}, err
	}
	if n != t.Size {
		return PartInfo{}, errBadTrailer
	}
	return t.info()
}

func (s *DiskStore) Upload(bucket, uploadID string) (UploadInfo, []PartInfo, error) {
	_, u, err := s.getUpload(bucket, uploadID)
	if err != nil {
		return UploadInfo{}, nil, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.gone {
		return UploadInfo{}, nil, fmt.Errorf("upload %q: %w", uploadID, ErrNoSuchUpload)
	}
	parts, err := u.parts()
	if err != nil {
		return UploadInfo{}, nil, err
	}
	info := u.info
	info.Meta = u.info.Meta.Clone()
	return info, parts, nil
}

func (s *DiskStore) CompleteUpload(bucket, uploadID string, want []CompletePart) (ObjectInfo, error) {
	b, u, err := s.getUpload(bucket, uploadID)
	if err != nil {
		return ObjectInfo{}, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.gone {
		return ObjectInfo{}, fmt.Errorf("upload %q: %w", uploadID, ErrNoSuchUpload)
	}
	have, err := u.parts()
	if err != nil {
		return ObjectInfo{}, err
	}
	parts, info, err := CheckComplete(u.info, have, want)
	if err != nil {
		return ObjectInfo{}, err
	}
	info.LastModified = time.Now().UTC()
	final := b.objectPath(info.Key)
	tmp, err := writeTemp(filepath.Dir(final), func(f *os.File) error {
		at, err := writeKeyHeader(f, info.Key)
		if err != nil {
			return fmt.Errorf("failed to join the parts: %w", err)
		}
		for _, p := range parts {
			if err := appendPart(f, filepath.Join(u.dir, partFile(p.Number)), p.Size); err != nil {
				return fmt.Errorf("failed to join part %d: %w", p.Number, err)
			}
		}
		return writeTrailer(f, trailerOf(info, at))
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := s.publish(b, tmp, final, info); err != nil {
		return ObjectInfo{}, err
	}
	u.gone = true
	s.mu.Lock()
	delete(b.uploads, uploadID)
	s.mu.Unlock()
	// The object is safely in place; a crash from here on may at worst leave
	// a temp folder that the next start deletes.
	doomed := filepath.Join(filepath.Dir(u.dir), tmpPrefix+uploadID)
	if err := os.Rename(u.dir, doomed); err == nil {
		os.RemoveAll(doomed)
	}
	return info, nil
}

// appendPart copies a part's content (not its trailer) to the end of dst.
// Copying file to file lets the kernel move the bytes (copy_file_range).
func appendPart(dst *os.File, path string, size int64) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	n, err := io.Copy(dst, io.LimitReader(src, size))
	if err == nil && n != size {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (s *DiskStore) AbortUpload(bucket, uploadID string) error {
	b, u, err := s.getUpload(bucket, uploadID)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.gone {
		return fmt.Errorf("upload %q: %w", uploadID, ErrNoSuchUpload)
	}
	// Rename first so that a crash mid-removal leaves a temp folder that the
	// next start deletes, never a half-removed upload.
	doomed := filepath.Join(filepath.Dir(u.dir), tmpPrefix+uploadID)
	if err := os.Rename(u.dir, doomed); err != nil {
		return fmt.Errorf("failed to abort upload %q: %w", uploadID, err)
	}
	u.gone = true
	s.mu.Lock()
	delete(b.uploads, uploadID)
	s.mu.Unlock()
	if err := os.RemoveAll(doomed); err != nil {
		return fmt.Errorf("failed to abort upload %q: %w", uploadID, err)
	}
	return syncDir(filepath.Dir(u.dir))
}

func (s *DiskStore) Uploads(bucket string) ([]UploadInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucket]
	if !ok {
		return nil, fmt.Errorf("bucket %q: %w", bucket, ErrNoSuchBucket)
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
