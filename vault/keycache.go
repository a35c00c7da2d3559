package vault

import (
	"crypto/rsa"
	"sync"
	"time"
)

// Opening an object needs the private half of an RSA key: read from the
// keychain (a round trip to its service) and parsed, which Go does with a
// full check of the key. Both cost more than the RSA decryption itself,
// several milliseconds for a 3072-bit key, and a folder of small files paid
// them for every file. The vault keeps a key it has read for keyCacheTTL
// after its last use, then lets go of it; removing the key lets go of it at
// once. A key kept never outlives its record: it is looked up through the
// registry each time, and only for the public key the record holds.

// keyCacheTTL is how long a private key is kept after its last use; a
// variable for tests.
var keyCacheTTL = 2 * time.Minute

type privateKeys struct {
	mu    sync.Mutex
	items map[string]*cachedKey
}

type cachedKey struct {
	priv  *rsa.PrivateKey
	timer *time.Timer
}

// get is the key kept under id, if any, and keeps it keyCacheTTL longer.
func (c *privateKeys) get(id string) *rsa.PrivateKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.items[id]
	if !ok {
		return nil
	}
	k.timer.Reset(keyCacheTTL)
	return k.priv
}

// put keeps priv under id for keyCacheTTL.
func (c *privateKeys) put(id string, priv *rsa.PrivateKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[string]*cachedKey{}
	}
	if old, ok := c.items[id]; ok {
		old.timer.Stop()
	}
	k := &cachedKey{priv: priv}
	k.timer = time.AfterFunc(keyCacheTTL, func() { c.dropIf(id, k) })
	c.items[id] = k
}

// drop lets go of the key under id.
func (c *privateKeys) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.items[id]; ok {
		k.timer.Stop()
		delete(c.items, id)
	}
}

// dropIf lets go of k if it is still what id holds.
func (c *privateKeys) dropIf(id string, k *cachedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items[id] == k {
		delete(c.items, id)
	}
}

// dropAll lets go of every key.
func (c *privateKeys) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, k := range c.items {
		k.timer.Stop()
		delete(c.items, id)
	}
}

// ForgetPrivateKeys lets go of every private key the vault keeps from its
// recent reads of the keychain: the next object opened reads its key
// again, and so asks for the keychain to be unlocked if it is locked.
func (v *Vault) ForgetPrivateKeys() { v.keys.dropAll() }

// len is how many keys are kept, for tests.
func (c *privateKeys) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
