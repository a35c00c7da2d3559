package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault/kms"
)

// KMSKeyOption configures AddKMSKey.
type KMSKeyOption func(*kmsKeyOptions)

type kmsKeyOptions struct {
	account  string
	check    bool
	checkCtx context.Context
}

// UseAccount makes a KMS key without its own credentials use the named
// account's.
func UseAccount(account string) KMSKeyOption {
	return func(o *kmsKeyOptions) { o.account = account }
}

// CheckKMS makes AddKMSKey try the key before saving it: it wraps a random
// 32-byte data key through KMS, as every upload will, with the credentials
// the key would use, and saves the key only if that works. Otherwise
// nothing is written, to the registry or the keychain, and the error wraps
// the vault/kms sentinel saying why (kms.ErrAccessDenied,
// kms.ErrKeyNotFound, kms.ErrKeyDisabled, kms.ErrUnreachable, ...), or
// kms.ErrNoCredentials when no credentials reach the key. ctx bounds the
// try; nil means no bound.
func CheckKMS(ctx context.Context) KMSKeyOption {
	return func(o *kmsKeyOptions) { o.check, o.checkCtx = true, ctx }
}

// AddKMSKey adds an Alibaba Cloud KMS key. endpoint is empty for the
// region's public KMS endpoint, else a VPC or dedicated-instance
// host[:port]. creds, if not nil, are stored with the key in the keychain;
// otherwise the key uses its account's (UseAccount) or the environment's.
// Without CheckKMS the key is saved without contacting KMS (for adding one
// while offline); its first use then finds any mistake.
func (v *Vault) AddKMSKey(name, keyID, region, endpoint string, md envelope.MatDesc, creds *kms.Credentials, opts ...KMSKeyOption) (Key, error) {
	if err := checkName("key", name); err != nil {
		return Key{}, err
	}
	if keyID == "" || trimSpace(keyID) != keyID {
		return Key{}, errors.New("a KMS key needs its key id (for example key-hzz6xxxxxxxxxxxx or an alias/...)")
	}
	if region == "" || !validRegion(region) {
		return Key{}, fmt.Errorf("the KMS region %q is not a region id (for example cn-hangzhou)", region)
	}
	if endpoint != "" {
		var err error
		if endpoint, err = checkKMSEndpoint(endpoint); err != nil {
			return Key{}, err
		}
	}
	var o kmsKeyOptions
	for _, opt := range opts {
		opt(&o)
	}
	kr := &kmsRecord{KeyID: keyID, Region: region, Endpoint: endpoint, Account: o.account}
	if kr.Account != "" {
		if _, err := v.Account(kr.Account); err != nil {
			return Key{}, err
		}
	}
	rec := keyRecord{
		Name:        name,
		Kind:        KindKMS,
		Fingerprint: KMSFingerprint(region, keyID),
		Created:     v.now().UTC().Truncate(time.Second),
		KMS:         kr,
	}
	rec.MatDesc = md
	if md == nil {
		rec.MatDesc = DefaultMatDesc(rec.Fingerprint)
	}
	var encoded string
	if creds != nil {
		if creds.AccessKeyID == "" || creds.AccessKeySecret == "" {
			return Key{}, errors.New("KMS credentials need both an AccessKey ID and an AccessKey secret")
		}
		var err error
		if encoded, err = encodeCredentials(*creds); err != nil {
			return Key{}, err
		}
	}
	if o.check {
		ctx := o.checkCtx
		if ctx == nil {
			ctx = context.Background()
		}
		if err := v.tryKMS(ctx, &rec, creds); err != nil {
			return Key{}, err
		}
	}
	return v.addKey(rec, encoded)
}

// tryKMS wraps a random data key with the KMS key rec describes, before rec
// is saved. A name or key already taken is reported first, without asking
// KMS; addKey checks again under the lock.
func (v *Vault) tryKMS(ctx context.Context, rec *keyRecord, creds *kms.Credentials) error {
	r := v.snapshot()
	if err := r.conflict(rec); err != nil {
		return err
	}
	var c kms.Credentials
	if creds != nil {
		c = *creds
	} else {
		var err error
		if c, err = v.kmsCredentials(r, rec); err != nil {
			return fmt.Errorf("failed to check KMS key %q, so it was not saved: %w", rec.Name, err)
		}
	}
	client, err := v.newKMS(rec.KMS.Region, rec.KMS.Endpoint, c)
	if err != nil {
		return fmt.Errorf("failed to set up KMS for key %q: %w", rec.Name, err)
	}
	probe := make([]byte, 32)
	if _, err := io.ReadFull(v.rand, probe); err != nil {
		return fmt.Errorf("failed to make a test data key: %w", err)
	}
	if _, err := envelope.NewKMSWrapper(client, rec.KMS.KeyID, rec.MatDesc).Wrap(ctx, probe); err != nil {
		return fmt.Errorf("failed to check KMS key %q, so it was not saved: %w", rec.Name, err)
	}
	return nil
}
