package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

const (
	// LocalDir holds the "on this computer" storage inside OSSVAULT_HOME.
	LocalDir = "local"
	// DemoBucket is the bucket a first try starts in.
	DemoBucket = "demo"
	// LocalAccountName is what the sidebar calls the local storage, and the
	// name of its saved account in the vault.
	LocalAccountName = vault.LocalStoreAccount
	// LocalHost is the only address the local storage listens on, so nothing
	// else on the network can reach it.
	LocalHost = vault.LocalStoreHost
)

// localEndpoint is the OSS-compatible server embedded in the app.
//
// Its address and access key stay the same from one start to the next, so
// that share links made for its files keep working and the command line can
// reach it: both are kept as the saved account LocalAccountName (the address
// in vault.json, the secret in the keychain, like any account). The port is
// tried again on each start; only when another program holds it (or answers
// on it) does the store move to a free one, and moved says so. Every client,
// the app's own included, makes the server on the address prove it holds
// the key (osslocal's hello) before sending it anything.
type localEndpoint struct {
	srv     *osslocal.Server
	cred    osslocal.Credential
	account Account
	// moved is true when the port used last time was taken, so links made
	// earlier for these files no longer reach them.
	moved bool
}

// localUsed reports whether the local storage was set up before.
func localUsed(home string) bool {
	fi, err := os.Stat(filepath.Join(home, LocalDir))
	return err == nil && fi.IsDir()
}

// StartLocal starts the embedded endpoint with its demo bucket, once, and
// returns its account.
func (b *Service) StartLocal() (Account, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.local != nil {
		return b.local.account, nil
	}
	store := b.opts.LocalStore
	if store == nil {
		disk, err := osslocal.NewDiskStore(filepath.Join(b.home, LocalDir))
		if err != nil {
			return Account{}, fmt.Errorf("failed to open the storage on this computer: %w", err)
		}
		store = disk
	}
	saved, cred, savedPort := b.savedLocal()
	srv, endpoint, moved, err := serveLocal(b.opts.Listen, store, cred, savedPort)
	if err != nil {
		return Account{}, fmt.Errorf("failed to start the storage on this computer: %w", err)
	}
	if err := srv.CreateBucket(DemoBucket); err != nil {
		srv.Close()
		return Account{}, fmt.Errorf("failed to create the demo bucket: %w", err)
	}
	switch {
	case saved && moved:
		if _, err := b.vault.SetAccountEndpoint(LocalAccountName, endpoint); err != nil {
			srv.Close()
			return Account{}, fmt.Errorf("failed to save the new address of the storage on this computer: %w", err)
		}
	case !saved:
		// A keychain that cannot take the secret only costs the links'
		// life beyond this run, so the storage still opens.
		_, _ = b.vault.AddAccount(vault.Account{Name: LocalAccountName, Endpoint: endpoint, AccessKeyID: cred.AccessKeyID, VerifiedOnly: true}, cred.AccessKeySecret, "")
	}
	b.local = &localEndpoint{srv: srv, cred: cred, moved: moved,
		account: Account{Name: LocalAccountName, Endpoint: endpoint, Local: true}}
	return b.local.account, nil
}

// savedLocal returns the local storage's saved access key and port, or a new
// key (saved false) when there is none yet or it cannot be read.
func (b *Service) savedLocal() (saved bool, cred osslocal.Credential, port string) {
	fresh := osslocal.Credential{AccessKeyID: "LTAI" + randomHex(8), AccessKeySecret: randomHex(16)}
	a, err := b.vault.Account(LocalAccountName)
	if err != nil {
		return false, fresh, ""
	}
	port, ok := localPort(a)
	if !ok {
		// Someone named a cloud account "This computer": leave it alone.
		return true, fresh, ""
	}
	id, secret, _, err := b.vault.Credentials(LocalAccountName)
	if err != nil {
		// Keychain locked or the entry lost: run with a key for this run
		// only, on the same port, and keep the saved account as it is.
		return true, fresh, port
	}
	return true, osslocal.Credential{AccessKeyID: id, AccessKeySecret: secret}, port
}

// localPort is the port of a saved account that is the local storage's.
func localPort(a vault.Account) (string, bool) {
	u, err := url.Parse(a.Endpoint)
	if err != nil || u.Scheme != "http" || u.Hostname() != LocalHost || u.Port() == "" {
		return "", false
	}
	return u.Port(), true
}

// isLocalAccount tells the local storage's own saved account from the user's.
func isLocalAccount(a vault.Account) bool { return a.IsLocalStore() }

// serveLocal starts the store on the saved port if it is free and the
// server answering there is this one, else on a free port (moved true if a
// saved one could not be used).
//
// Binding the port is not proof enough: systems differ in when they let two
// programs share a port and which one gets the connections. So the app
// asks whatever answers on the address its clients will use to prove it
// holds the store's key, as every client does (osslocal's hello), before
// it keeps that address.
func serveLocal(listen func(network, addr string) (net.Listener, error), store osslocal.Store, cred osslocal.Credential, port string) (srv *osslocal.Server, endpoint string, moved bool, err error) {
	ports := []string{"0"}
	if port != "" {
		ports = []string{port, "0"}
	}
	for _, p := range ports {
		if srv, err = osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{cred}, Hello: true}); err != nil {
			return nil, "", false, err
		}
		addr := net.JoinHostPort(LocalHost, p)
		var ln net.Listener
		if ln, err = listen("tcp", addr); err == nil {
			if endpoint, err = srv.StartOn(ln); err == nil {
				if p != "0" {
					endpoint = "http://" + addr
				}
				if err = checkLocal(endpoint, cred); err == nil {
					return srv, endpoint, moved, nil
				}
				srv.Close()
			}
		}
		if p != "0" {
			moved = true
		}
	}
	return nil, "", moved, err
}

// checkLocal makes the server at endpoint prove it is the local storage,
// before anything else is sent to it.
func checkLocal(endpoint string, cred osslocal.Credential) error {
	err := osslocal.CheckHello(context.Background(), endpoint, cred.AccessKeyID, cred.AccessKeySecret)
	if errors.Is(err, osslocal.ErrImpostor) {
		return localImpostor(strings.TrimPrefix(endpoint, "http://"), err)
	}
	return err
}

// localImpostor words a failed hello on the local storage's address.
func localImpostor(addr string, err error) error {
	return fmt.Errorf("another program is answering on This computer's address (%s) instead of this app's storage, so nothing was sent to it: %w", addr, err)
}

// localDial opens connections to the local storage only once the server on
// each has proved it holds the key: the app's storage may stop (the app
// quits while a client runs) and its port change hands between two
// connections. A refusal is final, so no retry sends anything either.
func localDial(cred osslocal.Credential, impostor func(addr string, err error) error) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := osslocal.HelloDialer{AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if errors.Is(err, osslocal.ErrImpostor) {
			return nil, transfer.Permanent(impostor(addr, err))
		}
		return conn, err
	}
}

// conn is the connection to the running local storage, each of whose
// sockets the server must prove itself on.
func (l *localEndpoint) conn() transfer.Conn {
	return transfer.Conn{Endpoint: l.account.Endpoint, AccessKeyID: l.cred.AccessKeyID, AccessKeySecret: l.cred.AccessKeySecret,
		Dial: localDial(l.cred, localImpostor)}
}

func (l *localEndpoint) close() error { return l.srv.Close() }

// LocalMoved reports whether the local storage had to take a new address on
// this start, which breaks links made before it.
func (b *Service) LocalMoved() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.local != nil && b.local.moved
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
