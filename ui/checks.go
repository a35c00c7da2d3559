package ui

import "sync"

// checkCacheSize bounds the remembered download checks: a mark for each of
// the last few thousand objects downloaded is plenty for one session.
const checkCacheSize = 2048

// checkCache remembers what downloads found out about objects' integrity,
// per object version (account, bucket, key, ETag): a header read can only
// say whether an object is sealed, a download says whether the seal held.
// A new version of the object has a new ETag, so its old mark never shows.
type checkCache struct {
	mu    sync.Mutex
	seals map[string]Seal
	order []string // oldest first, for eviction
}

func newCheckCache() *checkCache { return &checkCache{seals: map[string]Seal{}} }

func checkID(account, bucket, key, etag string) string {
	return account + "\x00" + bucket + "\x00" + key + "\x00" + etag
}

// put records a download's outcome; SealUnknown and an empty ETag (no
// version to pin it to) are ignored.
func (c *checkCache) put(account, bucket, key, etag string, s Seal) {
	if etag == "" || s == SealUnknown {
		return
	}
	id := checkID(account, bucket, key, etag)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seals[id]; !ok {
		c.order = append(c.order, id)
		if len(c.order) > checkCacheSize {
			delete(c.seals, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.seals[id] = s
}

// apply returns l with the seal a download found for its version, if any.
func (c *checkCache) apply(loc Location, key string, l Lock) Lock {
	if l.ETag == "" {
		return l
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.seals[checkID(loc.Account, loc.Bucket, key, l.ETag)]; ok {
		l.Seal = s
	}
	return l
}
