package vault

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Account is a saved OSS connection. Its secret and STS token live in the
// keychain (Credentials).
type Account struct {
	Name string
	// Endpoint is "https://host[:port]" (or http:// to a loopback address):
	// a region's public, internal or accelerate endpoint, or a custom domain.
	Endpoint string
	// Region is the region id (cn-hangzhou). Empty only for loopback
	// endpoints, where the caller picks one.
	Region      string
	AccessKeyID string
	// STS is true when the AccessKey is temporary and has a security token.
	STS     bool
	Created time.Time
	// VerifiedOnly makes downloads from this account refuse, before any
	// byte is written, every object that does not verify: plaintext and
	// other clients' objects included ("only accept files protected by
	// ossvault"). Storage the desktop app creates has it on.
	VerifiedOnly bool
}

// LocalStoreAccount is the name of the saved account of the desktop app's
// own store on this computer ("This computer" in its sidebar). The app
// keeps the store's address and access key there so that the command line
// can reach the store while the app runs.
const LocalStoreAccount = "This computer"

// LocalStoreHost is the only address the app's own store listens on.
const LocalStoreHost = "127.0.0.1"

// IsLocalStore reports whether a is the account of the app's own store:
// named LocalStoreAccount with an endpoint http://127.0.0.1:PORT (a cloud
// account someone named so is not). Its port can be taken by another
// program while the app is closed, so clients make the server there prove
// it holds the access key before sending it anything.
func (a Account) IsLocalStore() bool {
	if a.Name != LocalStoreAccount {
		return false
	}
	u, err := url.Parse(a.Endpoint)
	return err == nil && u.Scheme == "http" && u.Hostname() == LocalStoreHost && u.Port() != ""
}

func toAccount(a *accountRecord) Account {
	return Account{Name: a.Name, Endpoint: a.Endpoint, Region: a.Region, AccessKeyID: a.AccessKeyID, STS: a.STS, Created: a.Created, VerifiedOnly: a.VerifiedOnly}
}

// NormalizeEndpoint checks an OSS endpoint and returns it as
// "scheme://host[:port]". A bare host means https. Plain http is refused
// except to a loopback address, since requests carry signatures and the
// ciphertext's data-key envelope.
func NormalizeEndpoint(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("an endpoint is needed (for example https://oss-cn-hangzhou.aliyuncs.com)")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("the endpoint %q is not a URL or host name", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("the endpoint %q must be a scheme and host only, without a path, query or user name", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("the endpoint %q uses plain http, which is only allowed to this computer; use https://", raw)
		}
	default:
		return "", fmt.Errorf("the endpoint %q must start with https://", raw)
	}
	return scheme + "://" + strings.ToLower(u.Host), nil
}

// RegionFromEndpoint derives the region id from a standard OSS endpoint:
// oss-<region>.aliyuncs.com, oss-<region>-internal.aliyuncs.com (also with a
// bucket in front) or <region>.oss.aliyuncs.com. Accelerate endpoints and
// custom domains have no region in them ("", false).
func RegionFromEndpoint(endpoint string) (string, bool) {
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	host = strings.ToLower(host)
	rest, ok := strings.CutSuffix(host, ".aliyuncs.com")
	if !ok {
		return "", false
	}
	labels := strings.Split(rest, ".")
	if len(labels) >= 2 && labels[len(labels)-1] == "oss" {
		r := labels[len(labels)-2]
		return r, validRegion(r)
	}
	r, ok := strings.CutPrefix(labels[len(labels)-1], "oss-")
	if !ok || strings.HasPrefix(r, "accelerate") {
		return "", false
	}
	r = strings.TrimSuffix(r, "-internal")
	return r, validRegion(r)
}

// resolveRegion settles an account's region from what was given and what
// the endpoint says.
func resolveRegion(endpoint, region string) (string, error) {
	region = strings.TrimPrefix(strings.TrimSpace(region), "oss-")
	derived, ok := RegionFromEndpoint(endpoint)
	switch {
	case region != "" && !validRegion(region):
		return "", fmt.Errorf("%q is not a region id (for example cn-hangzhou)", region)
	case region != "" && ok && region != derived:
		return "", fmt.Errorf("the region %q does not match the endpoint %s, which is in %q", region, endpoint, derived)
	case region != "":
		return region, nil
	case ok:
		return derived, nil
	}
	u, _ := url.Parse(endpoint)
	if isLoopback(u.Hostname()) {
		return "", nil
	}
	return "", fmt.Errorf("cannot tell the region from the endpoint %s; give it with --region (for example cn-hangzhou)", endpoint)
}

// AddAccount saves an OSS account: its facts in the registry, secret and
// token (empty unless STS) in the keychain. It returns the account as saved,
// with its endpoint normalised and its region derived if not given.
func (v *Vault) AddAccount(a Account, secret, token string) (Account, error) {
	if err := checkName("account", a.Name); err != nil {
		return Account{}, err
	}
	endpoint, err := NormalizeEndpoint(a.Endpoint)
	if err != nil {
		return Account{}, err
	}
	region, err := resolveRegion(endpoint, a.Region)
	if err != nil {
		return Account{}, err
	}
	id := strings.TrimSpace(a.AccessKeyID)
	secret, token = strings.TrimSpace(secret), strings.TrimSpace(token)
	if id == "" || secret == "" {
		return Account{}, errors.New("an account needs an AccessKey ID and an AccessKey secret")
	}
	if strings.ContainsAny(id, " \t\r\n") {
		return Account{}, errors.New("the AccessKey ID contains spaces or line breaks")
	}
	encoded, err := encodeAccountSecret(secret, token)
	if err != nil {
		return Account{}, err
	}
	rec := accountRecord{
		Name:         a.Name,
		Endpoint:     endpoint,
		Region:       region,
		AccessKeyID:  id,
		STS:          token != "",
		Created:      v.now().UTC().Truncate(time.Second),
		Secret:       newID(),
		VerifiedOnly: a.VerifiedOnly,
	}
	return v.addAccount(rec, encoded)
}

func (v *Vault) addAccount(rec accountRecord, encoded string) (Account, error) {
	var stored secretStore
	err := v.update(func(r *registry) error {
		if _, old := r.account(rec.Name); old != nil {
			return fmt.Errorf("%w: %q", ErrAccountExists, rec.Name)
		}
		s := v.secrets(r)
		if err := s.put(rec.Secret, encoded); err != nil {
			return fmt.Errorf("failed to save account %q: %w", rec.Name, err)
		}
		stored = s
		r.Accounts = append(r.Accounts, rec)
		return nil
	})
	if err != nil {
		if stored.service != "" {
			_ = stored.delete(rec.Secret)
		}
		return Account{}, err
	}
	return toAccount(&rec), nil
}

func encodeAccountSecret(secret, token string) (string, error) {
	// The same form as a KMS key's own credentials, minus the ID, which the
	// registry holds.
	return encodeCredentialsParts("", secret, token)
}

// Accounts returns every saved account in the order they were added.
func (v *Vault) Accounts() []Account {
	r := v.snapshot()
	out := make([]Account, 0, len(r.Accounts))
	for i := range r.Accounts {
		out = append(out, toAccount(&r.Accounts[i]))
	}
	return out
}

// Account returns the named account, or an error wrapping
// ErrAccountNotFound.
func (v *Vault) Account(name string) (Account, error) {
	_, a := v.snapshot().account(name)
	if a == nil {
		return Account{}, fmt.Errorf("%w: %q", ErrAccountNotFound, name)
	}
	return toAccount(a), nil
}

// Credentials returns the named account's AccessKey ID, secret and STS token
// (empty unless STS), reading the keychain.
func (v *Vault) Credentials(name string) (id, secret, token string, err error) {
	r := v.snapshot()
	_, a := r.account(name)
	if a == nil {
		return "", "", "", fmt.Errorf("%w: %q", ErrAccountNotFound, name)
	}
	secret, token, err = v.accountSecret(r, a)
	if err != nil {
		return "", "", "", err
	}
	return a.AccessKeyID, secret, token, nil
}

func (v *Vault) accountSecret(r *registry, a *accountRecord) (secret, token string, err error) {
	s, err := v.secrets(r).get(a.Secret)
	if errors.Is(err, ErrSecretMissing) {
		return "", "", fmt.Errorf("the AccessKey secret of account %q is not in this computer's keychain (add the account again, or restore a backup): %w", a.Name, ErrSecretMissing)
	}
	if err != nil {
		return "", "", fmt.Errorf("failed to read account %q: %w", a.Name, err)
	}
	c, err := decodeCredentials(s)
	if err != nil {
		return "", "", fmt.Errorf("account %q: %w", a.Name, err)
	}
	return c.AccessKeySecret, c.SecurityToken, nil
}

// RemoveAccount deletes the named account and its secret. KMS keys linked to
// it fall back to the environment's credentials.
func (v *Vault) RemoveAccount(name string) error {
	var ref string
	var s secretStore
	err := v.update(func(r *registry) error {
		i, a := r.account(name)
		if a == nil {
			return fmt.Errorf("%w: %q", ErrAccountNotFound, name)
		}
		ref, s = a.Secret, v.secrets(r)
		r.Accounts = slices.Delete(r.Accounts, i, i+1)
		for k := range r.Keys {
			if r.Keys[k].KMS != nil && r.Keys[k].KMS.Account == name {
				r.Keys[k].KMS.Account = ""
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.delete(ref); err != nil {
		return fmt.Errorf("removed account %q, but %w", name, err)
	}
	return nil
}
