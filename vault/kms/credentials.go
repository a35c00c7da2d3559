package kms

import "errors"

// ErrNoCredentials: no AccessKey was given, in the configuration or the
// environment.
var ErrNoCredentials = errors.New("no Alibaba Cloud AccessKey for KMS")

// Credentials is an Alibaba Cloud AccessKey pair, with the SecurityToken of
// an STS (temporary) AccessKey when there is one.
//
// String and GoString hide the secret and the token, so that a Credentials
// printed by mistake does not leak them.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// Complete reports whether the pair is there; the token is optional.
func (c Credentials) Complete() bool {
	return c.AccessKeyID != "" && c.AccessKeySecret != ""
}

func (c Credentials) String() string {
	s := "AccessKey " + c.AccessKeyID + " (secret hidden"
	if c.SecurityToken != "" {
		s += ", with an STS token"
	}
	return s + ")"
}

// GoString keeps %#v from printing the fields.
func (c Credentials) GoString() string { return "kms.Credentials{" + c.String() + "}" }

// CredentialsFromEnv reads credentials from the environment, in this order:
// ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and
// ALIBABA_CLOUD_SECURITY_TOKEN; else OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET
// and OSS_SESSION_TOKEN. A set is taken whole or not at all, so a token of one
// set is never paired with a key of the other. The bool is false when
// neither set has both an ID and a secret.
//
// Credentials stored with a key or an account come before these; choosing
// is the caller's business.
func CredentialsFromEnv(getenv func(string) string) (Credentials, bool) {
	sets := [][3]string{
		{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"},
		{"OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"},
	}
	for _, names := range sets {
		c := Credentials{AccessKeyID: getenv(names[0]), AccessKeySecret: getenv(names[1]), SecurityToken: getenv(names[2])}
		if c.Complete() {
			return c, true
		}
	}
	return Credentials{}, false
}
