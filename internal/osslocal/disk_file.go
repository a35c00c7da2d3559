// The files of a DiskStore: key header, content, metadata trailer, and the
// writes that make them durable.

package osslocal

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"
)

const (
	trailerMagic = "OSSLOCv1"
	headerMagic  = "OSSLOCk1"
	tmpPrefix    = ".tmp-"
)

// objectTrailer is an object file's metadata, after its content (see
// DiskStore for the layout).
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
