package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// realBackend implements Backend over the vault, the transfer engine and the
// local endpoint. It reaches OSS through connect and holds one connection
// (transfer.Service) per account.
type realBackend struct {
	home    string
	vault   *vault.Vault
	connect transfer.Connector

	mu       sync.Mutex
	services map[string]transfer.Service
	local    *localEndpoint

	transfers *realTransfers
	closeOnce sync.Once
	closeErr  error
}

// openRealBackend opens the vault and the transfer queue in home, starts
// the local endpoint if it was used before, and queues again the transfers
// that did not finish last time. It reaches OSS through connect.
func openRealBackend(home string, connect transfer.Connector, opts ...vault.Option) (*realBackend, error) {
	v, err := vault.Open(home, append(opts, vault.WithKeyRemoved(forgetKeyUploads(home)))...)
	if err != nil {
		return nil, fmt.Errorf("failed to open the key vault: %w", err)
	}
	b := &realBackend{home: home, vault: v, connect: connect, services: map[string]transfer.Service{}}
	if localUsed(home) {
		if _, err := b.startLocal(); err != nil {
			return nil, err
		}
	}
	if b.transfers, err = newRealTransfers(b); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *realBackend) Accounts() Accounts   { return (*realAccounts)(b) }
func (b *realBackend) Storage() Storage     { return (*realStorage)(b) }
func (b *realBackend) Keys() Keys           { return (*realKeys)(b) }
func (b *realBackend) Transfers() Transfers { return b.transfers }
func (b *realBackend) Sharing() Sharing     { return (*realSharing)(b) }

func (b *realBackend) Close() error {
	b.closeOnce.Do(func() {
		if b.transfers != nil {
			b.transfers.close()
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.local != nil {
			b.closeErr = b.local.close()
		}
	})
	return b.closeErr
}

// service returns the connection to an account.
func (b *realBackend) service(account string) (transfer.Service, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.services[account]; c != nil {
		return c, nil
	}
	if b.local != nil && account == b.local.account.Name {
		c, err := b.connect(b.local.conn())
		if err == nil {
			b.services[account] = c // one connection, so its sockets are reused
		}
		return c, err
	}
	a, err := b.vault.Account(account)
	if err != nil {
		return nil, err
	}
	id, secret, token, err := b.vault.Credentials(account)
	if err != nil {
		return nil, err
	}
	c, err := b.connect(guardLocal(a, transfer.Conn{Endpoint: a.Endpoint, Region: a.Region, AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}))
	if err != nil {
		return nil, err
	}
	b.services[account] = c
	return c, nil
}

// store returns the transfer engine's store for a bucket.
func (b *realBackend) store(account, bucket string) (transfer.Bucket, error) {
	c, err := b.service(account)
	if err != nil {
		return nil, err
	}
	return c.Bucket(bucket)
}

type realAccounts realBackend

func (a *realAccounts) List(context.Context) ([]Account, error) {
	b := (*realBackend)(a)
	var out []Account
	b.mu.Lock()
	if b.local != nil {
		l := b.local.account
		if saved, err := b.vault.Account(l.Name); err == nil {
			l.VerifiedOnly = saved.VerifiedOnly
		}
		out = append(out, l)
	}
	b.mu.Unlock()
	for _, x := range b.vault.Accounts() {
		if isLocalAccount(x) {
			continue // listed above while it runs; unreachable otherwise
		}
		out = append(out, Account{Name: x.Name, Endpoint: x.Endpoint, Region: x.Region, VerifiedOnly: x.VerifiedOnly})
	}
	return out, nil
}

func (a *realAccounts) SetVerifiedOnly(_ context.Context, name string, on bool) error {
	_, err := a.vault.SetVerifiedOnly(name, on)
	return err
}

// verifiedOnly reports whether downloads from the account must verify;
// an account that cannot be read is treated as strict, the safe side.
func (b *realBackend) verifiedOnly(account string) bool {
	a, err := b.vault.Account(account)
	return err != nil || a.VerifiedOnly
}

// Add checks the credentials with one request (CheckKey) before saving
// them. An account allowed into its buckets but not to list them is still
// saved: OSS recognised the key.
func (a *realAccounts) Add(ctx context.Context, acct Account, c Credentials) error {
	endpoint, err := vault.NormalizeEndpoint(acct.Endpoint)
	if err != nil {
		return err
	}
	svc, err := a.connect(transfer.Conn{Endpoint: endpoint, Region: acct.Region, AccessKeyID: c.AccessKeyID,
		AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken})
	if err != nil {
		return err
	}
	if err := svc.CheckKey(ctx); err != nil {
		// An answer with an OSS error code came from OSS; one without may
		// be any web server.
		var re *transfer.RemoteError
		if !(errors.As(err, &re) && re.Code != "") && answersNotAsOSS(ctx, endpoint, err) {
			return fmt.Errorf("%w: %s: %w", errNotOSS, endpoint, err)
		}
		return err
	}
	// Storage created here starts strict: its files come from this app.
	_, err = a.vault.AddAccount(vault.Account{Name: acct.Name, Endpoint: endpoint, Region: acct.Region,
		AccessKeyID: c.AccessKeyID, STS: c.SecurityToken != "", VerifiedOnly: true}, c.AccessKeySecret, c.SecurityToken)
	return err
}

func (a *realAccounts) ImportOssutil(_ context.Context, path string) ([]Account, error) {
	got, err := a.vault.ImportOssutil(path)
	if errors.Is(err, os.ErrNotExist) {
		if path == "" {
			path, _ = vault.DefaultOssutilConfig()
		}
		return nil, &ossutilMissingError{Path: path, Err: err}
	}
	if err != nil {
		return nil, err
	}
	// Imported from ossutil, whose uploads carry no ossvault protection:
	// the account keeps accepting them (VerifiedOnly off) until the user
	// says otherwise.
	out := make([]Account, len(got))
	for i, x := range got {
		out[i] = Account{Name: x.Name, Endpoint: x.Endpoint, Region: x.Region, VerifiedOnly: x.VerifiedOnly}
	}
	return out, nil
}

func (a *realAccounts) StartLocal(context.Context) (Account, error) {
	return (*realBackend)(a).startLocal()
}

type realStorage realBackend

func (s *realStorage) Buckets(ctx context.Context, account string) ([]string, error) {
	c, err := (*realBackend)(s).service(account)
	if err != nil {
		return nil, err
	}
	return c.ListBuckets(ctx)
}

// List is one page of the engine's listing: the folder's objects and
// subfolders merged in key order.
func (s *realStorage) List(ctx context.Context, loc Location, token string, max int) (Page, error) {
	st, err := (*realBackend)(s).store(loc.Account, loc.Bucket)
	if err != nil {
		return Page{}, err
	}
	res, err := st.ListPage(ctx, loc.Prefix, "/", token, max)
	if err != nil {
		return Page{}, err // it names the folder already
	}
	res = transfer.HideInternal(res) // ossvault's own leaf tables
	var p Page
	for _, cp := range res.Prefixes {
		p.Entries = append(p.Entries, Entry{Name: strings.TrimSuffix(cp[len(loc.Prefix):], "/"), Key: cp, Folder: true})
	}
	for _, o := range res.Objects {
		if o.Key == loc.Prefix {
			continue // the folder's own marker object
		}
		p.Entries = append(p.Entries, Entry{Name: o.Key[len(loc.Prefix):], Key: o.Key, Size: o.Size, Modified: o.LastModified})
	}
	sort.Slice(p.Entries, func(i, j int) bool { return p.Entries[i].Key < p.Entries[j].Key })
	p.Next = res.Next
	return p, nil
}

// Lock reads one object's headers and names the key it was locked with.
func (s *realStorage) Lock(ctx context.Context, loc Location, key string) (Lock, error) {
	b := (*realBackend)(s)
	st, err := b.store(loc.Account, loc.Bucket)
	if err != nil {
		return Lock{}, err
	}
	info, err := st.Head(ctx, key)
	if err != nil {
		return Lock{}, err
	}
	env, err := envelope.ParseHeader(info.Header)
	if errors.Is(err, envelope.ErrNotEncrypted) {
		return Lock{Kind: LockNotEncrypted, ETag: info.ETag}, nil
	}
	if err != nil {
		return Lock{}, err
	}
	l := b.lockOf(env)
	l.ETag = info.ETag
	return l, nil
}

// lockOf says who an envelope is locked for, from this vault's point of view.
func (b *realBackend) lockOf(env *envelope.Envelope) Lock {
	l := Lock{Seal: SealAbsent}
	switch {
	case env.Integrity != nil:
		l.Seal = SealPresent
	case env.Marked:
		// ossvault wrote it and its tamper check is gone: stripped, which a
		// download refuses; "not protected" would invite the download.
		l.Seal = SealBroken
	}
	k, ok := b.vault.KeyFor(env)
	if !ok {
		k, ok = b.colleagueFor(env)
	}
	switch {
	case ok && k.Kind == vault.KindRSAPublic:
		l.Kind, l.KeyName = LockColleague, k.Name
	case ok && k.Kind == vault.KindKMS:
		l.Kind, l.KeyName = LockKMS, k.Name
	case ok:
		l.Kind, l.KeyName = LockMine, k.Name
	case env.RawMatDesc == "" && len(b.privateKeys()) > 0:
		// No description to go by: one of my keys may open it, which only
		// a download can tell.
		l.Kind = LockMine
	default:
		l.Kind = LockKeyMissing
		if _, isDefault := env.MatDesc["ossvault-key"]; !isDefault {
			l.KeyName = ownerFromMatDesc(env.RawMatDesc)
		}
	}
	return l
}

// colleagueFor finds the colleague's key an envelope was locked for. The
// vault's KeyFor names only keys that open an object, so without this a copy
// shared with Alice reads as locked with a key not on this computer.
func (b *realBackend) colleagueFor(env *envelope.Envelope) (vault.Key, bool) {
	if len(env.MatDesc) == 0 {
		return vault.Key{}, false
	}
	for _, k := range b.vault.Keys() {
		if k.Kind == vault.KindRSAPublic && k.MatDesc.Equal(env.MatDesc) {
			return k, true
		}
	}
	return vault.Key{}, false
}

func (b *realBackend) privateKeys() []vault.Key {
	var out []vault.Key
	for _, k := range b.vault.Keys() {
		if k.CanOpen() {
			out = append(out, k)
		}
	}
	return out
}

func (s *realStorage) Delete(ctx context.Context, loc Location, key string) error {
	st, err := (*realBackend)(s).store(loc.Account, loc.Bucket)
	if err != nil {
		return err
	}
	if err := st.Delete(ctx, key); err != nil {
		return err
	}
	// A table left behind is harmless (transfer.DeleteLeaves).
	_ = transfer.DeleteLeaves(ctx, st, key)
	return nil
}

func (s *realStorage) FolderSize(ctx context.Context, loc Location, prefix string) (int, int64, error) {
	if prefix == "" || !strings.HasSuffix(prefix, "/") {
		return 0, 0, fmt.Errorf("failed to count the files in %q: %w", prefix, transfer.ErrNotAFolder)
	}
	st, err := (*realBackend)(s).store(loc.Account, loc.Bucket)
	if err != nil {
		return 0, 0, err
	}
	files, size := 0, int64(0)
	err = st.List(ctx, prefix, true, func(e transfer.Entry) error {
		if !strings.HasSuffix(e.Key, "/") { // a folder's marker is no file
			files++
			size += e.Size
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("failed to count the files in %q: %w", prefix, err)
	}
	return files, size, nil
}

func (s *realStorage) DeleteFolder(ctx context.Context, loc Location, prefix string, progress func(deleted, total int)) (int, error) {
	st, err := (*realBackend)(s).store(loc.Account, loc.Bucket)
	if err != nil {
		return 0, err
	}
	return transfer.DeletePrefix(ctx, st, prefix, progress)
}

func (s *realStorage) NewFolder(ctx context.Context, loc Location, name string) error {
	st, err := (*realBackend)(s).store(loc.Account, loc.Bucket)
	if err != nil {
		return err
	}
	return st.Put(ctx, loc.Prefix+name+"/", strings.NewReader(""), 0, nil)
}

// shareLinkMax is the longest a link can work: OSS's limit for a V1 signed
// URL that the command line also keeps.
const shareLinkMax = 7 * 24 * time.Hour

type realSharing realBackend

// Share signs a link to the object if the colleague's key opens it.
// Otherwise it first stores a copy locked for them beside the original,
// decrypted here and encrypted again for their key, and links to that.
func (s *realSharing) Share(ctx context.Context, loc Location, key, forKey string, expires time.Duration, progress func(done, total int64)) (Shared, error) {
	b := (*realBackend)(s)
	if expires <= 0 || expires > shareLinkMax {
		return Shared{}, fmt.Errorf("a link works for at most 7 days")
	}
	st, err := b.store(loc.Account, loc.Bucket)
	if err != nil {
		return Shared{}, err
	}
	target, err := b.vault.Key(forKey)
	if err != nil {
		return Shared{}, err
	}
	info, err := st.Head(ctx, key)
	if err != nil {
		return Shared{}, err
	}
	env, err := envelope.ParseHeader(info.Header)
	if err != nil && !errors.Is(err, envelope.ErrNotEncrypted) {
		return Shared{}, err
	}
	if err != nil || !target.MatDesc.Equal(env.MatDesc) {
		if key, err = b.transfers.relock(ctx, loc, key, forKey, progress); err != nil {
			return Shared{}, err
		}
	}
	link, err := st.ShareLink(ctx, key, expires)
	if err != nil {
		return Shared{}, err
	}
	return Shared{Link: link, Key: key}, nil
}

func (s *realSharing) OpenLink(_ context.Context, link, dir string) (JobID, error) {
	return s.transfers.openLink(link, dir)
}

// answersNotAsOSS reports, for a failed first request that carried no OSS
// error code, whether the endpoint is a web server of another kind: it
// answers, but without the request ID every OSS response carries. A
// failure to connect at all is left to the network's own explanation.
func answersNotAsOSS(ctx context.Context, endpoint string, err error) bool {
	if isNetwork(err) || errors.Is(err, transfer.ErrPlainHTTP) || errors.Is(err, transfer.ErrCertificate) {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, reqErr := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if reqErr != nil {
		return false
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, reqErr := c.Do(req)
	if reqErr != nil {
		return false
	}
	resp.Body.Close()
	return resp.Header.Get("X-Oss-Request-Id") == ""
}
