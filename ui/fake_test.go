package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ossvault/ossvault/app"
	"github.com/ossvault/ossvault/transfer"
)

// fakeBackend is an in-memory Backend for fast screen tests. It answers at
// once and records what the screens asked for; transfers move only when a
// test says so.
type fakeBackend struct {
	mu sync.Mutex

	// cards are the contact cards the bucket holds, badCards the objects
	// there that are not; published what PublishCard was asked.
	cards     []SeenCard
	badCards  int
	published []string

	accounts []Account
	secrets  map[string]Credentials
	addErr   error
	ossutil  []Account

	buckets map[string]*fakeBucket // "account/bucket"

	keys       []Key
	publicPEM  map[string][]byte
	backups    map[string][]byte // passphrase -> backup
	genDelay   time.Duration
	keyErr     error
	lastBackup string
	kmsAdded   []KMSKey

	jobs     []Job
	subs     app.Subscribers
	parallel int
	uploads  []UploadRequest
	nextJob  int
	versions int // numbers each object version's ETag

	shares []string
	opened []string
	// shareCopy, if set, is the colleague's copy Share reports writing.
	shareCopy string
	// expired are the copies whose link is over; removed those removed.
	expired, removed []SharedCopy
	// copies are the copies made to share files, as CopiesOf lists them.
	copies []SharedCopy

	// deleteFail are keys DeleteFolder cannot delete.
	deleteFail map[string]bool

	listCalls atomic.Int64
	lockCalls atomic.Int64
}

type fakeBucket struct {
	keys    []string // sorted
	objects map[string]fakeObject
}

type fakeObject struct {
	size int64
	mod  time.Time
	lock Lock
}

var _ Backend = (*fakeBackend)(nil)

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		secrets: map[string]Credentials{}, buckets: map[string]*fakeBucket{},
		publicPEM: map[string][]byte{}, backups: map[string][]byte{},
	}
}

func (f *fakeBackend) Accounts() Accounts   { return (*fakeAccounts)(f) }
func (f *fakeBackend) Storage() Storage     { return (*fakeStorage)(f) }
func (f *fakeBackend) Keys() Keys           { return (*fakeKeys)(f) }
func (f *fakeBackend) Transfers() Transfers { return (*fakeTransfers)(f) }
func (f *fakeBackend) Sharing() Sharing     { return (*fakeSharing)(f) }
func (f *fakeBackend) Close() error         { return nil }

// addObject puts an object in a bucket, creating both as needed.
func (f *fakeBackend) addObject(account, bucket, key string, size int64, l Lock) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l.ETag == "" {
		f.versions++
		l.ETag = fmt.Sprintf(`"v%d"`, f.versions)
	}
	b := f.bucket(account, bucket)
	if _, ok := b.objects[key]; !ok {
		i := sort.SearchStrings(b.keys, key)
		b.keys = append(b.keys, "")
		copy(b.keys[i+1:], b.keys[i:])
		b.keys[i] = key
	}
	b.objects[key] = fakeObject{size: size, mod: time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC), lock: l}
}

// fillBucket adds n objects named file-000000... in one go.
func (f *fakeBackend) fillBucket(account, bucket string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.bucket(account, bucket)
	for i := range n {
		k := fmt.Sprintf("file-%06d.pdf", i)
		b.keys = append(b.keys, k)
		b.objects[k] = fakeObject{size: int64(i), mod: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			lock: Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent}}
	}
	sort.Strings(b.keys)
}

func (f *fakeBackend) bucket(account, bucket string) *fakeBucket {
	id := account + "/" + bucket
	b := f.buckets[id]
	if b == nil {
		b = &fakeBucket{objects: map[string]fakeObject{}}
		f.buckets[id] = b
	}
	return b
}

type fakeAccounts fakeBackend

func (a *fakeAccounts) List(context.Context) ([]Account, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Account(nil), a.accounts...), nil
}

func (a *fakeAccounts) Add(_ context.Context, acct Account, c Credentials) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.addErr != nil {
		return a.addErr
	}
	a.accounts = append(a.accounts, acct)
	a.secrets[acct.Name] = c
	return nil
}

func (a *fakeAccounts) ImportOssutil(context.Context, string) ([]Account, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.accounts = append(a.accounts, a.ossutil...)
	return a.ossutil, nil
}

func (a *fakeAccounts) SetVerifiedOnly(_ context.Context, name string, on bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.accounts {
		if a.accounts[i].Name == name {
			a.accounts[i].VerifiedOnly = on
			return nil
		}
	}
	return fmt.Errorf("no account %q", name)
}

func (a *fakeAccounts) StartLocal(context.Context) (Account, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	acct := Account{Name: "This computer", Endpoint: "http://127.0.0.1:1", Local: true}
	for _, x := range a.accounts {
		if x.Local {
			return x, nil
		}
	}
	a.accounts = append(a.accounts, acct)
	(*fakeBackend)(a).bucket(acct.Name, "demo")
	return acct, nil
}

type fakeStorage fakeBackend

func (s *fakeStorage) Buckets(_ context.Context, account string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.buckets {
		if a, b, _ := strings.Cut(id, "/"); a == account {
			out = append(out, b)
		}
	}
	sort.Strings(out)
	return out, nil
}

// List walks the sorted keys from the token, folding deeper keys into their
// folder, as OSS does with a "/" delimiter.
func (s *fakeStorage) List(_ context.Context, loc Location, token string, max int) (Page, error) {
	s.listCalls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[loc.Account+"/"+loc.Bucket]
	if b == nil {
		return Page{}, errors.New("NoSuchBucket")
	}
	start := loc.Prefix
	switch {
	case strings.HasSuffix(token, "/"):
		start = token + "\xff" // past everything in that folder
	case token != "":
		start = token + "\x00"
	}
	var p Page
	for i := sort.SearchStrings(b.keys, start); i < len(b.keys); {
		k := b.keys[i]
		if !strings.HasPrefix(k, loc.Prefix) {
			break
		}
		if len(p.Entries) == max {
			p.Next = p.Entries[len(p.Entries)-1].Key
			return p, nil
		}
		rest := k[len(loc.Prefix):]
		if rest == "" { // the folder's own marker
			i++
			continue
		}
		if dir, _, deeper := strings.Cut(rest, "/"); deeper {
			folder := loc.Prefix + dir + "/"
			p.Entries = append(p.Entries, Entry{Name: dir, Key: folder, Folder: true})
			i = sort.SearchStrings(b.keys, folder+"\xff")
			continue
		}
		o := b.objects[k]
		p.Entries = append(p.Entries, Entry{Name: rest, Key: k, Size: o.size, Modified: o.mod})
		i++
	}
	return p, nil
}

func (s *fakeStorage) Lock(_ context.Context, loc Location, key string) (Lock, error) {
	s.lockCalls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.buckets[loc.Account+"/"+loc.Bucket].objects[key]
	if !ok {
		return Lock{}, errors.New("NoSuchKey")
	}
	return o.lock, nil
}

func (s *fakeStorage) Delete(_ context.Context, loc Location, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[loc.Account+"/"+loc.Bucket]
	delete(b.objects, key)
	i := sort.SearchStrings(b.keys, key)
	if i < len(b.keys) && b.keys[i] == key {
		b.keys = append(b.keys[:i], b.keys[i+1:]...)
	}
	return nil
}

func (s *fakeStorage) FolderSize(_ context.Context, loc Location, prefix string) (int, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[loc.Account+"/"+loc.Bucket]
	files, size := 0, int64(0)
	for k, o := range b.objects {
		if strings.HasPrefix(k, prefix) && !strings.HasSuffix(k, "/") {
			files++
			size += o.size
		}
	}
	return files, size, nil
}

// DeleteFolder deletes in batches as the real one does; the keys in
// deleteFail stay, and are counted in a *transfer.DeleteError.
func (s *fakeStorage) DeleteFolder(ctx context.Context, loc Location, prefix string, progress func(deleted, total int)) (int, error) {
	s.mu.Lock()
	b := s.buckets[loc.Account+"/"+loc.Bucket]
	var under []string
	for _, k := range b.keys {
		if strings.HasPrefix(k, prefix) {
			under = append(under, k)
		}
	}
	fail := s.deleteFail
	s.mu.Unlock()
	deleted := 0
	for start := 0; start < len(under); start += transfer.DeleteBatch {
		for _, k := range under[start:min(start+transfer.DeleteBatch, len(under))] {
			if !fail[k] {
				(*fakeStorage)(s).Delete(ctx, loc, k)
				deleted++
			}
		}
		if progress != nil {
			progress(deleted, len(under))
		}
	}
	if deleted < len(under) {
		return deleted, &transfer.DeleteError{Deleted: deleted, Failed: len(under) - deleted, Err: &transfer.RemoteError{Op: "DeleteMultipleObjects", Status: 403, Code: "AccessDenied"}}
	}
	return deleted, nil
}

func (s *fakeStorage) NewFolder(_ context.Context, loc Location, name string) error {
	(*fakeBackend)(s).addObject(loc.Account, loc.Bucket, loc.Prefix+name+"/", 0, Lock{})
	return nil
}

// Rename moves the object as the real one does, and refuses as it does: a
// folder, a name that is no name, a name taken. The file then reads as
// signed by me.
func (s *fakeStorage) Rename(ctx context.Context, loc Location, key, newName string) (string, error) {
	if strings.HasSuffix(key, "/") {
		return "", app.ErrRenameFolder
	}
	newKey, err := app.RenamedKey(key, newName)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	b := s.buckets[loc.Account+"/"+loc.Bucket]
	o, ok := b.objects[key]
	_, taken := b.objects[newKey]
	s.mu.Unlock()
	switch {
	case !ok:
		return "", transfer.ErrNoSuchObject
	case taken && newKey != key:
		return "", fmt.Errorf("failed to rename %s: %w", key, transfer.ErrExists)
	}
	o.lock.Writer = Writer{Signed: true, Name: "My key", Me: true}
	(*fakeStorage)(s).Delete(ctx, loc, key)
	(*fakeBackend)(s).addObject(loc.Account, loc.Bucket, newKey, o.size, o.lock)
	return newKey, nil
}

// RenameFolder moves every object under prefix as the real one does,
// and refuses a name taken by a file or a folder.
func (s *fakeStorage) RenameFolder(ctx context.Context, loc Location, prefix, newName string, progress func(done, total int)) (string, error) {
	base, err := app.RenamedKey(strings.TrimSuffix(prefix, "/"), newName)
	if err != nil {
		return "", err
	}
	newPrefix := base + "/"
	s.mu.Lock()
	b := s.buckets[loc.Account+"/"+loc.Bucket]
	var keys []string
	taken := false
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
		taken = taken || k == base || strings.HasPrefix(k, newPrefix)
	}
	s.mu.Unlock()
	if taken {
		return "", fmt.Errorf("failed to rename %s: %w", prefix, transfer.ErrExists)
	}
	for i, k := range keys {
		s.mu.Lock()
		o := b.objects[k]
		s.mu.Unlock()
		(*fakeStorage)(s).Delete(ctx, loc, k)
		(*fakeBackend)(s).addObject(loc.Account, loc.Bucket, newPrefix+k[len(prefix):], o.size, o.lock)
		if progress != nil {
			progress(i+1, len(keys))
		}
	}
	return newPrefix, nil
}

type fakeKeys fakeBackend

func (k *fakeKeys) List(context.Context) ([]Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Key(nil), k.keys...), nil
}

func (k *fakeKeys) add(key Key) (Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keyErr != nil {
		return Key{}, k.keyErr
	}
	key.Fingerprint = "SHA256:" + strings.Repeat(strings.ToLower(key.Name[:1]), 8)
	key.Default = len(k.keys) == 0 && key.Kind != KeyColleague
	k.keys = append(k.keys, key)
	return key, nil
}

func (k *fakeKeys) Generate(_ context.Context, name string, bits int) (Key, error) {
	if bits != defaultKeyBits {
		return Key{}, fmt.Errorf("unexpected key size %d", bits)
	}
	time.Sleep(k.genDelay)
	key, err := k.add(Key{Name: name, Kind: KeyMine})
	if err == nil {
		k.mu.Lock()
		k.publicPEM[name] = []byte("-----BEGIN PUBLIC KEY-----\n" + name + "\n-----END PUBLIC KEY-----\n")
		k.mu.Unlock()
	}
	return key, err
}

func (k *fakeKeys) ImportPrivate(_ context.Context, name string, pem []byte) (Key, error) {
	if !bytes.Contains(pem, []byte("PRIVATE KEY")) {
		return Key{}, errors.New("not a private key")
	}
	return k.add(Key{Name: name, Kind: KeyMine})
}

func (k *fakeKeys) AddPublic(_ context.Context, name string, pem []byte) (Key, error) {
	if !bytes.Contains(pem, []byte("PUBLIC KEY")) {
		return Key{}, errors.New("not a public key")
	}
	return k.add(Key{Name: name, Kind: KeyColleague, MatDesc: `{"owner":"` + name + `"}`})
}

func (k *fakeKeys) AddKMS(_ context.Context, m KMSKey) (Key, error) {
	k.mu.Lock()
	k.kmsAdded = append(k.kmsAdded, m)
	k.mu.Unlock()
	return k.add(Key{Name: m.Name, Kind: KeyKMS})
}

func (k *fakeKeys) ExportPublic(_ context.Context, name string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p, ok := k.publicPEM[name]
	if !ok {
		return nil, os.ErrNotExist
	}
	return p, nil
}

func (k *fakeKeys) PublishCard(_ context.Context, loc Location, keyName, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.published = append(k.published, loc.Bucket+"/"+keyName+"/"+name)
	return nil
}

func (k *fakeKeys) Cards(context.Context, Location) ([]SeenCard, int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]SeenCard(nil), k.cards...), k.badCards, nil
}

func (k *fakeKeys) MarkCompared(_ context.Context, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i := range k.keys {
		if k.keys[i].Name == name && k.keys[i].Kind == KeyColleague {
			k.keys[i].Compared = true
			return nil
		}
	}
	return os.ErrNotExist
}

func (k *fakeKeys) SetDefault(_ context.Context, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i := range k.keys {
		k.keys[i].Default = k.keys[i].Name == name
	}
	return nil
}

func (k *fakeKeys) Remove(_ context.Context, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i := range k.keys {
		if k.keys[i].Name == name {
			k.keys = append(k.keys[:i], k.keys[i+1:]...)
			return nil
		}
	}
	return os.ErrNotExist
}

func (k *fakeKeys) Backup(_ context.Context, w io.Writer, pass string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	var names []string
	for _, key := range k.keys {
		names = append(names, key.Name)
	}
	data := []byte("backup:" + strings.Join(names, ","))
	k.backups[pass] = data
	k.lastBackup = pass
	_, err := w.Write(data)
	return err
}

func (k *fakeKeys) Restore(_ context.Context, r io.Reader, pass string) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	k.mu.Lock()
	want, ok := k.backups[pass]
	k.mu.Unlock()
	if !ok || !bytes.Equal(want, b) {
		return errBadPassphrase
	}
	for _, n := range strings.Split(strings.TrimPrefix(string(b), "backup:"), ",") {
		if n != "" {
			k.add(Key{Name: n, Kind: KeyMine})
		}
	}
	return nil
}

// CopiesOf lists the copies in copies of the file key, or of files under
// the folder key, as the service's list does.
func (s *fakeSharing) CopiesOf(loc Location, key string) ([]SharedCopy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SharedCopy
	for _, c := range s.copies {
		if c.Account == loc.Account && c.Bucket == loc.Bucket &&
			(c.Of == key || strings.HasSuffix(key, "/") && strings.HasPrefix(c.Of, key)) {
			out = append(out, c)
		}
	}
	return out, nil
}
