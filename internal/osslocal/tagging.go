package osslocal

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// OSS's limits on object tags.
const (
	maxTags        = 10
	maxTagKeyLen   = 128
	maxTagValueLen = 256
	maxTaggingBody = 64 << 10
)

// Tags are an object's tags. They belong to one version of the object: a
// new PutObject or CompleteMultipartUpload starts without any, and
// CopyObject copies them unless told otherwise, as on OSS.
type Tags map[string]string

// taggingXML is the body of PutObjectTagging and GetObjectTagging.
type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	Tags    []struct {
		Key   string `xml:"Key"`
		Value string `xml:"Value"`
	} `xml:"TagSet>Tag"`
}

func badTag(msg string) *apiError {
	return newError(http.StatusBadRequest, "InvalidTag", msg)
}

// checkTags applies OSS's rules: at most 10 tags, keys of 1 to 128 and
// values of at most 256 characters, no key twice.
func checkTags(t Tags) *apiError {
	if len(t) > maxTags {
		return badTag("Object tags cannot be greater than 10")
	}
	for k, v := range t {
		if k == "" || utf8.RuneCountInString(k) > maxTagKeyLen {
			return badTag("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(v) > maxTagValueLen {
			return badTag("The TagValue you have provided is invalid")
		}
	}
	return nil
}

// parseTagging reads a PutObjectTagging body and checks its tags as OSS
// does.
func parseTagging(body []byte) (Tags, *apiError) {
	var x taggingXML
	if err := xml.Unmarshal(body, &x); err != nil {
		return nil, newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
	}
	tags := Tags{}
	for _, t := range x.Tags {
		if _, dup := tags[t.Key]; dup {
			return nil, badTag("Cannot provide multiple Tags with the same key")
		}
		tags[t.Key] = t.Value
	}
	if e := checkTags(tags); e != nil {
		return nil, e
	}
	return tags, nil
}

func (c *call) putObjectTagging() {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxTaggingBody+1))
	if err != nil || len(body) > maxTaggingBody {
		c.fail(newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."))
		return
	}
	tags, e := parseTagging(body)
	if e != nil {
		c.fail(e)
		return
	}
	if err := c.s.store.PutTagging(c.rt.bucket, c.rt.key, tags); err != nil {
		c.failStore(err)
		return
	}
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
}

func (c *call) getObjectTagging() {
	tags, err := c.s.store.Tagging(c.rt.bucket, c.rt.key)
	if err != nil {
		c.failStore(err)
		return
	}
	var x taggingXML
	for _, k := range sortedKeys(tags) {
		x.Tags = append(x.Tags, struct {
			Key   string `xml:"Key"`
			Value string `xml:"Value"`
		}{k, tags[k]})
	}
	c.writeXML(http.StatusOK, x)
}

func (c *call) deleteObjectTagging() {
	if err := c.s.store.PutTagging(c.rt.bucket, c.rt.key, nil); err != nil {
		c.failStore(err)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// copyTags returns the tags a copied object gets: the source's (the
// default x-oss-tagging-directive, Copy) or those of the x-oss-tagging
// header (Replace). It is read before the copy is written, which removes
// the tags of a copy onto itself.
func (c *call) copyTags(srcBucket, srcKey string) (Tags, *apiError) {
	var tags Tags
	switch strings.ToLower(c.r.Header.Get("x-oss-tagging-directive")) {
	case "", "copy":
		t, err := c.s.store.Tagging(srcBucket, srcKey)
		if err != nil {
			return nil, storeError(err, srcBucket, srcKey)
		}
		tags = t
	case "replace":
		q, err := url.ParseQuery(c.r.Header.Get("x-oss-tagging"))
		if err != nil {
			return nil, badTag("The x-oss-tagging header is malformed")
		}
		tags = Tags{}
		for k, v := range q {
			tags[k] = v[0]
		}
		if e := checkTags(tags); e != nil {
			return nil, e
		}
	default:
		return nil, errInvalidArgument("Unknown tagging directive.").with("ArgumentName", "x-oss-tagging-directive")
	}
	return tags, nil
}

// PutTagging replaces the tags of the object (none when tags is empty).
func (s *MemoryStore) PutTagging(bucket, key string, tags Tags) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	o, ok := b.data[key]
	if !ok {
		return fmt.Errorf("object %q: %w", key, ErrNoSuchKey)
	}
	o.tags = cloneTags(tags)
	return nil
}

// Tagging returns the object's tags.
func (s *MemoryStore) Tagging(bucket, key string) (Tags, error) {
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
	return cloneTags(o.tags), nil
}

func sortedKeys(t Tags) []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func cloneTags(t Tags) Tags {
	c := make(Tags, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

// tagsSuffix names the file beside a DiskStore object that holds its
// tags. The file names the version it belongs to (ETag and modification
// time), so that a tags file left by a crash between a new write and the
// removal of the old tags never passes as the new version's.
const tagsSuffix = ".tags"

type tagsFile struct {
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"lastModified"`
	Tags         Tags      `json:"tags"`
}

func (b *diskBucket) tagsPath(key string) string { return b.objectPath(key) + tagsSuffix }

// PutTagging replaces the tags of the object (none when tags is empty).
func (s *DiskStore) PutTagging(bucket, key string, tags Tags) error {
	b, err := s.getBucket(bucket)
	if err != nil {
		return err
	}
	l := s.keyLock(bucket, key)
	l.Lock()
	defer l.Unlock()
	info, err := s.currentInfo(b, key)
	if err != nil {
		return err
	}
	p := b.tagsPath(key)
	if len(tags) == 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("failed to remove the tags of object %q: %w", key, err)
		}
		return nil
	}
	data, err := json.Marshal(tagsFile{ETag: info.ETag, LastModified: info.LastModified, Tags: tags})
	if err != nil {
		return err
	}
	if err := writeFileAtomic(p, data); err != nil {
		return fmt.Errorf("failed to store the tags of object %q: %w", key, err)
	}
	return nil
}

// Tagging returns the object's tags.
func (s *DiskStore) Tagging(bucket, key string) (Tags, error) {
	b, err := s.getBucket(bucket)
	if err != nil {
		return nil, err
	}
	l := s.keyLock(bucket, key)
	l.Lock()
	defer l.Unlock()
	info, err := s.currentInfo(b, key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(b.tagsPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return Tags{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the tags of object %q: %w", key, err)
	}
	var t tagsFile
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("the tags of object %q: %w", key, ErrDamaged)
	}
	if t.ETag != info.ETag || !t.LastModified.Equal(info.LastModified) {
		return Tags{}, nil // an earlier version's
	}
	return cloneTags(t.Tags), nil
}

// currentInfo reads the object's info; the caller holds its key lock.
func (s *DiskStore) currentInfo(b *diskBucket, key string) (ObjectInfo, error) {
	info, err := readObjectInfo(b.objectPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return ObjectInfo{}, fmt.Errorf("object %q: %w", key, ErrNoSuchKey)
	}
	if err != nil || info.Key != key {
		return ObjectInfo{}, fmt.Errorf("object %q: %w", key, ErrDamaged)
	}
	return info, nil
}

// removeTags deletes a replaced or deleted object's tags file; the caller
// holds the key lock. A failure is harmless: the file names the version
// it belongs to.
func removeTags(objectPath string) {
	_ = os.Remove(objectPath + tagsSuffix)
}

// isTagsFile reports whether a name in an objects folder is a tags file.
func isTagsFile(name string) bool {
	return strings.HasSuffix(name, tagsSuffix) && filepath.Ext(name) == tagsSuffix
}
