package ui

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
)

const (
	// localDir holds the "on this computer" storage inside OSSVAULT_HOME.
	localDir = "local"
	// demoBucket is the bucket a first try starts in.
	demoBucket = "demo"
	// localAccountName is what the sidebar calls the local storage.
	localAccountName = "This computer"
)

// localEndpoint is the OSS-compatible server embedded in the app. It listens
// on 127.0.0.1 only, with a random key made for this run, so nothing else on
// the network can reach it and no secret of it is ever stored.
type localEndpoint struct {
	srv     *osslocal.Server
	cred    osslocal.Credential
	account Account
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
	cred := osslocal.Credential{AccessKeyID: "LTAI" + randomHex(8), AccessKeySecret: randomHex(16)}
	srv, err := osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{cred}})
	if err != nil {
		return Account{}, err
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return Account{}, fmt.Errorf("failed to start the storage on this computer: %w", err)
	}
	if err := srv.CreateBucket(demoBucket); err != nil {
		srv.Close()
		return Account{}, fmt.Errorf("failed to create the demo bucket: %w", err)
	}
	b.local = &localEndpoint{srv: srv, cred: cred, account: Account{Name: localAccountName, Endpoint: url, Local: true}}
	return b.local.account, nil
}

func (l *localEndpoint) client() (*oss.Client, error) {
	return transfer.Conn{Endpoint: l.account.Endpoint, AccessKeyID: l.cred.AccessKeyID, AccessKeySecret: l.cred.AccessKeySecret}.Client()
}

func (l *localEndpoint) close() error { return l.srv.Close() }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
