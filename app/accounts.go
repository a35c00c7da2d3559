package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

type realAccounts Service

func (a *realAccounts) List(context.Context) ([]Account, error) {
	b := (*Service)(a)
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
func (b *Service) verifiedOnly(account string) bool {
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
			return fmt.Errorf("%w: %s: %w", ErrNotOSS, endpoint, err)
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
		return nil, &OssutilMissingError{Path: path, Err: err}
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
	return (*Service)(a).StartLocal()
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
