package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/app"
	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
	"github.com/ossvault/ossvault/vault"
)

// connFlags declares the connection flags every command that talks to OSS
// takes: --account, or --endpoint and --region (else OSS_ENDPOINT and
// OSS_REGION) with the OSS_* credential variables.
func connFlags(fs *pflag.FlagSet) {
	fs.String("account", "", "use the saved account `NAME`")
	fs.String("endpoint", "", "OSS endpoint `URL` (default $OSS_ENDPOINT)")
	fs.String("region", "", "OSS region, e.g. cn-hangzhou (default $OSS_REGION)")
}

// ossURL is a parsed oss://BUCKET/KEY.
type ossURL struct {
	Bucket, Key string
}

func (u ossURL) String() string { return "oss://" + u.Bucket + "/" + u.Key }

// shown is u escaped for printing (safetext.Name): the key is whatever its
// writer chose, control characters included.
func (u ossURL) shown() string { return safetext.Name(u.String()) }

// parseOSSURL parses oss://BUCKET[/KEY]; the key may be empty or end in
// "/" (a folder).
func parseOSSURL(s string) (ossURL, error) {
	rest, ok := strings.CutPrefix(s, "oss://")
	if !ok {
		return ossURL{}, usagef("%q is not an oss://BUCKET/KEY address", s)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return ossURL{}, usagef("%q names no bucket", s)
	}
	return ossURL{Bucket: bucket, Key: key}, nil
}

// openVault opens the key vault in the home folder. Removing a key there
// removes the unfinished uploads locked for it from the transfer journal,
// with the data keys kept for them, as in the app.
func openVault(env *Env) (*vault.Vault, error) {
	return vault.Open(env.Home, vault.WithGetenv(env.Getenv), vault.WithKeyRemoved(app.ForgetKeyUploads(env.Home)))
}

// connection resolves the flags and environment into a transfer.Conn.
func connection(env *Env, fs *pflag.FlagSet, v *vault.Vault) (transfer.Conn, error) {
	account, _ := fs.GetString("account")
	endpoint, _ := fs.GetString("endpoint")
	region, _ := fs.GetString("region")
	if account != "" {
		if endpoint != "" {
			return transfer.Conn{}, usagef("give either --account or --endpoint, not both")
		}
		if v == nil {
			var err error
			if v, err = openVault(env); err != nil {
				return transfer.Conn{}, err
			}
		}
		// The app turns an account into a connection the same way.
		c, local, err := app.AccountConn(v, account, localStoreError)
		if err != nil {
			return transfer.Conn{}, err
		}
		if local {
			// Once now too, for a plain answer before any request.
			return localStoreConn(c)
		}
		return c, nil
	}
	if endpoint == "" {
		endpoint = env.Getenv("OSS_ENDPOINT")
	}
	if region == "" {
		region = env.Getenv("OSS_REGION")
	}
	if endpoint == "" {
		return transfer.Conn{}, usagef("no OSS endpoint: use --account NAME, --endpoint URL or OSS_ENDPOINT")
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	return transfer.Conn{
		Endpoint:        endpoint,
		Region:          region,
		AccessKeyID:     env.Getenv("OSS_ACCESS_KEY_ID"),
		AccessKeySecret: env.Getenv("OSS_ACCESS_KEY_SECRET"),
		SecurityToken:   env.Getenv("OSS_SESSION_TOKEN"),
	}, nil
}

// connect opens the account the flags and environment name, through the
// OSS adapter.
func connect(env *Env, fs *pflag.FlagSet, v *vault.Vault) (transfer.Service, error) {
	c, err := connection(env, fs, v)
	if err != nil {
		return nil, err
	}
	svc, err := osssdk.Connect(c)
	if errors.Is(err, transfer.ErrNoCredentials) {
		return nil, fmt.Errorf("%w: use --account NAME, or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET", err)
	}
	return svc, err
}

// bucketStore connects to bucket.
func bucketStore(env *Env, fs *pflag.FlagSet, v *vault.Vault, bucket string) (transfer.Bucket, error) {
	svc, err := connect(env, fs, v)
	if err != nil {
		return nil, err
	}
	return svc.Bucket(bucket)
}

// keyTracker is the vault as a transfer.Keys that remembers which local
// key opened the object, for info's opened-by line.
type keyTracker struct {
	v      *vault.Vault
	opened string
}

// NamesKey passes the vault's answer on (transfer.KeyNamer).
func (k *keyTracker) NamesKey(e *envelope.Envelope) bool { return k.v.NamesKey(e) }

func (k *keyTracker) Identities(ctx context.Context, e *envelope.Envelope) ([]envelope.Identity, error) {
	if _, ok := k.v.KeyFor(e); ok {
		// Each under its own name: an object for several keys may be
		// opened by any of them.
		ids, err := k.v.NamedIdentities(ctx, e)
		if err != nil {
			return nil, err
		}
		out := make([]envelope.Identity, len(ids))
		for i, id := range ids {
			out[i] = &namedIdentity{Identity: id.Identity, name: id.Name, seen: &k.opened}
		}
		return out, nil
	}
	// No matdesc to go by: every private key is tried, each under its
	// own name so the one that opens the object can be told.
	var out []envelope.Identity
	var firstErr error
	for _, key := range k.v.Keys() {
		if !key.CanOpen() {
			continue
		}
		id, err := k.v.Identity(ctx, key.Name)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		out = append(out, &namedIdentity{Identity: id, name: key.Name, seen: &k.opened})
	}
	if len(out) == 0 && firstErr != nil && !errors.Is(firstErr, vault.ErrSecretMissing) {
		return nil, firstErr
	}
	return out, nil
}

type namedIdentity struct {
	envelope.Identity
	name string
	seen *string
}

func (n *namedIdentity) Unwrap(ctx context.Context, e *envelope.Envelope) (*envelope.DataKey, error) {
	dk, err := n.Identity.Unwrap(ctx, e)
	if err == nil && *n.seen == "" {
		*n.seen = n.name
	}
	return dk, err
}

// jobsFlag declares --jobs.
func jobsFlag(fs *pflag.FlagSet, what string) {
	fs.Int("jobs", 4, "how many "+what+" to transfer at once (`N`)")
}

func jobs(fs *pflag.FlagSet) (int, error) {
	n, _ := fs.GetInt("jobs")
	if n < 1 || n > 64 {
		return 0, usagef("--jobs must be between 1 and 64, not %d", n)
	}
	return n, nil
}

// describe turns an error into plain words where the transfer package's
// wording needs the object's name; target is escaped for printing.
func describe(target string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", safetext.Name(target), err)
}
