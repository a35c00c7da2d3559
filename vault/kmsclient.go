package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault/kms"
)

// KMSFactory makes a KMS client for one key's region, optional endpoint and
// credentials.
type KMSFactory func(region, endpoint string, creds kms.Credentials) (envelope.KMS, error)

// defaultKMS makes a vault/kms client. SSL_CERT_FILE is read through the
// vault's getenv, so a caller's environment (the command line's Stdio) is
// honoured for private certificate authorities.
func (v *Vault) defaultKMS(region, endpoint string, creds kms.Credentials) (envelope.KMS, error) {
	c, err := kms.New(kms.Config{Region: region, Endpoint: endpoint, Credentials: creds, CAFile: v.getenv("SSL_CERT_FILE")})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// kmsClient connects to a KMS key with, in the contract's order, the
// credentials stored with the key, those of its account, or the
// environment's (ALIBABA_CLOUD_* then OSS_*).
func (v *Vault) kmsClient(_ context.Context, r *registry, rec *keyRecord) (envelope.KMS, error) {
	creds, err := v.kmsCredentials(r, rec)
	if err != nil {
		return nil, err
	}
	c, err := v.newKMS(rec.KMS.Region, rec.KMS.Endpoint, creds)
	if err != nil {
		return nil, fmt.Errorf("failed to set up KMS for key %q: %w", rec.Name, err)
	}
	return c, nil
}

func (v *Vault) kmsCredentials(r *registry, rec *keyRecord) (kms.Credentials, error) {
	if rec.Secret != "" {
		s, err := v.secrets(r).get(rec.Secret)
		if err != nil {
			return kms.Credentials{}, fmt.Errorf("failed to read the KMS credentials of key %q: %w", rec.Name, err)
		}
		return decodeCredentials(s)
	}
	if rec.KMS.Account != "" {
		_, a := r.account(rec.KMS.Account)
		if a == nil {
			return kms.Credentials{}, fmt.Errorf("KMS key %q uses account %q, which is no longer saved: %w", rec.Name, rec.KMS.Account, ErrAccountNotFound)
		}
		secret, token, err := v.accountSecret(r, a)
		if err != nil {
			return kms.Credentials{}, err
		}
		return kms.Credentials{AccessKeyID: a.AccessKeyID, AccessKeySecret: secret, SecurityToken: token}, nil
	}
	if c, ok := kms.CredentialsFromEnv(v.getenv); ok {
		return c, nil
	}
	return kms.Credentials{}, fmt.Errorf("KMS key %q has no credentials: store them with the key, link it to an account, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET: %w", rec.Name, kms.ErrNoCredentials)
}

// storedCredentials is the keychain form of a KMS key's own credentials and
// of an account's secret.
type storedCredentials struct {
	ID     string `json:"id,omitempty"`
	Secret string `json:"secret"`
	Token  string `json:"token,omitempty"`
}

func encodeCredentials(c kms.Credentials) (string, error) {
	return encodeCredentialsParts(c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)
}

func encodeCredentialsParts(id, secret, token string) (string, error) {
	b, err := json.Marshal(storedCredentials{ID: id, Secret: secret, Token: token})
	if err != nil {
		return "", errors.New("failed to encode credentials")
	}
	return string(b), nil
}

func decodeCredentials(s string) (kms.Credentials, error) {
	var sc storedCredentials
	if err := json.Unmarshal([]byte(s), &sc); err != nil || sc.Secret == "" {
		// The decoder's message could quote the secret; say only what broke.
		return kms.Credentials{}, errors.New("credentials in the system keychain are damaged")
	}
	return kms.Credentials{AccessKeyID: sc.ID, AccessKeySecret: sc.Secret, SecurityToken: sc.Token}, nil
}

var regionRE = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

func validRegion(r string) bool { return regionRE.MatchString(r) }

// checkKMSEndpoint normalises a KMS endpoint (host[:port] or URL). Plain
// http is refused except to this computer.
func checkKMSEndpoint(raw string) (string, error) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", fmt.Errorf("the KMS endpoint %q is not a host name, host:port or URL", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u.Host, nil
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("the KMS endpoint %q: %w", raw, kms.ErrInsecureEndpoint)
		}
		return "http://" + u.Host, nil
	}
	return "", fmt.Errorf("the KMS endpoint %q must use https", raw)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
