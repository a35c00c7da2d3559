package osslocal

import (
	"sort"
	"strings"
)

// keyIndex is a bucket's keys in sorted order with their listing
// information, so a page of a listing costs O(log n + page) rather than a
// scan of the bucket. It is not safe for concurrent use; stores guard it.
type keyIndex struct {
	keys  []string
	infos map[string]ObjectInfo // Meta left nil to keep the index small
}

func newKeyIndex() *keyIndex { return &keyIndex{infos: map[string]ObjectInfo{}} }

func (x *keyIndex) len() int { return len(x.keys) }

func (x *keyIndex) put(info ObjectInfo) {
	info.Meta = nil
	if _, ok := x.infos[info.Key]; !ok {
		i := sort.SearchStrings(x.keys, info.Key)
		x.keys = append(x.keys, "")
		copy(x.keys[i+1:], x.keys[i:])
		x.keys[i] = info.Key
	}
	x.infos[info.Key] = info
}

func (x *keyIndex) remove(key string) {
	if _, ok := x.infos[key]; !ok {
		return
	}
	delete(x.infos, key)
	i := sort.SearchStrings(x.keys, key)
	x.keys = append(x.keys[:i], x.keys[i+1:]...)
}

// prefixEnd returns the smallest string greater than every string with the
// given prefix, or "" if there is none (the prefix is all 0xff bytes).
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// list returns one page with OSS's semantics: keys greater than q.After and
// starting with q.Prefix; with a delimiter, keys that contain it after the
// prefix are rolled up into one common prefix each, and a common prefix not
// greater than q.After (the marker was inside it) is skipped.
func (x *keyIndex) list(q ListQuery) ListPage {
	var page ListPage
	start := q.Prefix
	i := sort.SearchStrings(x.keys, start)
	if q.After >= start {
		i = sort.Search(len(x.keys), func(j int) bool { return x.keys[j] > q.After })
	}
	n := len(x.keys)
	for i < n {
		k := x.keys[i]
		if !strings.HasPrefix(k, q.Prefix) {
			break
		}
		if page.count() == q.MaxKeys {
			page.IsTruncated = true
			break
		}
		if q.Delimiter != "" {
			if j := strings.Index(k[len(q.Prefix):], q.Delimiter); j >= 0 {
				cp := k[:len(q.Prefix)+j+len(q.Delimiter)]
				if cp > q.After {
					page.CommonPrefixes = append(page.CommonPrefixes, cp)
					page.NextAfter = cp
				}
				end := prefixEnd(cp)
				if end == "" {
					i = n
				} else {
					i = sort.SearchStrings(x.keys, end)
				}
				continue
			}
		}
		page.Objects = append(page.Objects, x.infos[k])
		page.NextAfter = k
		i++
	}
	return page
}

func (p *ListPage) count() int { return len(p.Objects) + len(p.CommonPrefixes) }
