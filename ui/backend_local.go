package ui

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

const (
	// localDir holds the "on this computer" storage inside OSSVAULT_HOME.
	localDir = "local"
	// demoBucket is the bucket a first try starts in.
	demoBucket = "demo"
	// localAccountName is what the sidebar calls the local storage, and the
	// name of its saved account in the vault.
	localAccountName = "This computer"
	// localHost is the only address the local storage listens on, so nothing
	// else on the network can reach it.
	localHost = "127.0.0.1"
)

// localEndpoint is the OSS-compatible server embedded in the app.
//
// Its address and access key stay the same from one start to the next, so
// that share links made for its files keep working and the command line can
// reach it: both are kept as the saved account localAccountName (the address
// in vault.json, the secret in the keychain, like any account). The port is
// tried again on each start; only when another program holds it does the
// store move to a free one, and moved says so.
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
	fi, err := os.Stat(filepath.Join(home, localDir))
	return err == nil && fi.IsDir()
}

// startLocal starts the embedded endpoint with its demo bucket, once.
func (b *realBackend) startLocal() (Account, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.local != nil {
		return b.local.account, nil
	}
	store, err := osslocal.NewDiskStore(filepath.Join(b.home, localDir))
	if err != nil {
		return Account{}, fmt.Errorf("failed to open the storage on this computer: %w", err)
	}
	saved, cred, savedPort := b.savedLocal()
	srv, err := osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{cred}})
	if err != nil {
		return Account{}, err
	}
	endpoint, moved, err := listenLocal(srv, savedPort)
	if err != nil {
		return Account{}, fmt.Errorf("failed to start the storage on this computer: %w", err)
	}
	if err := srv.CreateBucket(demoBucket); err != nil {
		srv.Close()
		return Account{}, fmt.Errorf("failed to create the demo bucket: %w", err)
	}
	switch {
	case saved && moved:
		if _, err := b.vault.SetAccountEndpoint(localAccountName, endpoint); err != nil {
			srv.Close()
			return Account{}, fmt.Errorf("failed to save the new address of the storage on this computer: %w", err)
		}
	case !saved:
		// A keychain that cannot take the secret only costs the links'
		// life beyond this run, so the storage still opens.
		_, _ = b.vault.AddAccount(vault.Account{Name: localAccountName, Endpoint: endpoint, AccessKeyID: cred.AccessKeyID}, cred.AccessKeySecret, "")
	}
	b.local = &localEndpoint{srv: srv, cred: cred, moved: moved,
		account: Account{Name: localAccountName, Endpoint: endpoint, Local: true}}
	return b.local.account, nil
}

// savedLocal returns the local storage's saved access key and port, or a new
// key (saved false) when there is none yet or it cannot be read.
func (b *realBackend) savedLocal() (saved bool, cred osslocal.Credential, port string) {
	fresh := osslocal.Credential{AccessKeyID: "LTAI" + randomHex(8), AccessKeySecret: randomHex(16)}
	a, err := b.vault.Account(localAccountName)
	if err != nil {
		return false, fresh, ""
	}
	port, ok := localPort(a)
	if !ok {
		// Someone named a cloud account "This computer": leave it alone.
		return true, fresh, ""
	}
	id, secret, _, err := b.vault.Credentials(localAccountName)
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
	if err != nil || u.Scheme != "http" || u.Hostname() != localHost || u.Port() == "" {
		return "", false
	}
	return u.Port(), true
}

// isLocalAccount tells the local storage's own saved account from the user's.
func isLocalAccount(a vault.Account) bool {
	_, ok := localPort(a)
	return ok && a.Name == localAccountName
}

// listenLocal starts srv on the saved port if there is one and it is free,
// else on any free port (moved true if a saved one was taken).
func listenLocal(srv *osslocal.Server, port string) (endpoint string, moved bool, err error) {
	if port != "" {
		endpoint, err := srv.Start(net.JoinHostPort(localHost, port))
		if err == nil {
			return endpoint, false, nil
		}
		moved = true
	}
	endpoint, err = srv.Start(net.JoinHostPort(localHost, "0"))
	return endpoint, moved, err
}

func (l *localEndpoint) client() (*oss.Client, error) {
	return transfer.Conn{Endpoint: l.account.Endpoint, AccessKeyID: l.cred.AccessKeyID, AccessKeySecret: l.cred.AccessKeySecret}.Client()
}

func (l *localEndpoint) close() error { return l.srv.Close() }

// localMoved reports whether the local storage had to take a new address on
// this start, which breaks links made before it.
func (b *realBackend) localMoved() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.local != nil && b.local.moved
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
