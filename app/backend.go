package app

import (
	"fmt"
	"net"
	"sync"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// Connector opens a connection to OSS from an address and an AccessKey;
// transfer/osssdk.Connect is the one main hands in.
type Connector = transfer.Connector

// Options are what Open needs from the program around it.
type Options struct {
	// Connect reaches OSS (osssdk.Connect, handed in by main): the service
	// speaks only in transfer's terms, so it never imports an SDK.
	Connect Connector
	// Parallel is how many transfers run at once (0: the queue's default).
	Parallel int
	// Retry is how transfers retry failed requests; nil is
	// transfer.DefaultPolicy (a bounded window, so a restarted store or
	// network is ridden out).
	Retry *transfer.Policy
	// LocalStore keeps the files of "This computer"; nil is a disk store in
	// the home folder.
	LocalStore osslocal.Store
	// Listen binds the local storage's port; nil is net.Listen.
	Listen func(network, addr string) (net.Listener, error)
	// Vault are more options for the key vault.
	Vault []vault.Option
}

// Service implements Backend over the vault, the transfer engine and the
// local endpoint. It reaches OSS through Options.Connect and holds one
// connection (transfer.Service) per account.
type Service struct {
	home    string
	vault   *vault.Vault
	connect transfer.Connector
	opts    Options

	mu       sync.Mutex
	services map[string]transfer.Service
	local    *localEndpoint

	transfers *realTransfers
	closeOnce sync.Once
	closeErr  error
}

var _ Backend = (*Service)(nil)

// Open opens the vault and the transfer queue in home, starts the local
// endpoint if it was used before, and queues again the transfers that did
// not finish last time.
func Open(home string, o Options) (*Service, error) {
	if o.Connect == nil {
		return nil, fmt.Errorf("no connector to reach OSS with")
	}
	if o.Listen == nil {
		o.Listen = net.Listen
	}
	v, err := vault.Open(home, append(o.Vault, vault.WithKeyRemoved(ForgetKeyUploads(home)))...)
	if err != nil {
		return nil, fmt.Errorf("failed to open the key vault: %w", err)
	}
	b := &Service{home: home, vault: v, connect: o.Connect, opts: o, services: map[string]transfer.Service{}}
	if localUsed(home) {
		if _, err := b.StartLocal(); err != nil {
			return nil, err
		}
	}
	if b.transfers, err = newRealTransfers(b); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Service) Accounts() Accounts { return (*realAccounts)(b) }

func (b *Service) Storage() Storage { return (*realStorage)(b) }

func (b *Service) Keys() Keys { return (*realKeys)(b) }

func (b *Service) Transfers() Transfers { return b.transfers }

func (b *Service) Sharing() Sharing { return (*realSharing)(b) }

func (b *Service) Close() error {
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

// Connection returns the connection to an account, made once.
func (b *Service) Connection(account string) (transfer.Service, error) {
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
	conn, _, err := AccountConn(b.vault, account, nil)
	if err != nil {
		return nil, err
	}
	c, err := b.connect(conn)
	if err != nil {
		return nil, err
	}
	b.services[account] = c
	return c, nil
}

// Store returns the transfer engine's store for a bucket.
func (b *Service) Store(account, bucket string) (transfer.Bucket, error) {
	c, err := b.Connection(account)
	if err != nil {
		return nil, err
	}
	return c.Bucket(bucket)
}

// Home is the folder the service keeps its vault, journal and local
// storage in.
func (b *Service) Home() string { return b.home }

// Vault is the key vault the service opened.
func (b *Service) Vault() *vault.Vault { return b.vault }

// Queue is the transfer queue every job runs in.
func (b *Service) Queue() *transfer.Queue { return b.transfers.queue }

// Journal is the transfer journal the queue keeps its jobs in.
func (b *Service) Journal() *transfer.Journal { return b.transfers.journal }

// LocalStore is the running local storage as its clients reach it.
type LocalStore struct {
	Account    Account
	Credential osslocal.Credential
	// Moved is true when it had to take a new address on this start.
	Moved bool
	srv   *osslocal.Server
}

// Conn is the connection to it, each of whose sockets the server must
// prove itself on.
func (l *LocalStore) Conn() transfer.Conn {
	return transfer.Conn{Endpoint: l.Account.Endpoint, AccessKeyID: l.Credential.AccessKeyID,
		AccessKeySecret: l.Credential.AccessKeySecret, Dial: localDial(l.Credential, localImpostor)}
}

// Close stops the server, as quitting the app does.
func (l *LocalStore) Close() error { return l.srv.Close() }

// Local is the running local storage, or nil when it is not running.
func (b *Service) Local() *LocalStore {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.local == nil {
		return nil
	}
	return &LocalStore{Account: b.local.account, Credential: b.local.cred, Moved: b.local.moved, srv: b.local.srv}
}
