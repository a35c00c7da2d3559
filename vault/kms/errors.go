package kms

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/ossvault/ossvault/envelope"
)

// Sentinel errors for outcomes callers act on; match them with errors.Is.
// Every error from a KMS call is an *Error that wraps one of them (or, for a
// canceled call, the context's error).
var (
	// ErrAccessDenied: the AccessKey, its secret or STS token is wrong or
	// expired, or the account may not use this key.
	ErrAccessDenied = errors.New("access to KMS was denied")
	// ErrKeyNotFound: no such key in the region the client uses. KMS keys are
	// regional, so a key from another region is "not found" too.
	ErrKeyNotFound = errors.New("the KMS key was not found")
	// ErrKeyDisabled: the key exists but cannot be used now (disabled,
	// pending deletion, pending import, unavailable).
	ErrKeyDisabled = errors.New("the KMS key cannot be used in its current state")
	// ErrWrongRegion: the key ID names another region than the client's.
	ErrWrongRegion = errors.New("the KMS key belongs to another region")
	// ErrInvalidCiphertext: KMS could not decrypt the blob (damaged, or not
	// made by KMS for this account and region).
	ErrInvalidCiphertext = errors.New("KMS could not decrypt the wrapped key")
	// ErrUnreachable: no connection to the KMS endpoint.
	ErrUnreachable = errors.New("KMS could not be reached")
	// ErrTimeout: KMS did not answer in time.
	ErrTimeout = errors.New("KMS did not answer in time")
	// ErrUnavailable: KMS answered that it is busy or failing (throttling,
	// HTTP 5xx) and kept doing so for every retry.
	ErrUnavailable = errors.New("KMS is busy or unavailable")
	// ErrCertificate: the endpoint's TLS certificate is not trusted.
	ErrCertificate = errors.New("the KMS server's certificate is not trusted")
	// ErrBadResponse: the answer was not a KMS answer (a proxy's page, say).
	ErrBadResponse = errors.New("the answer did not come from KMS")
)

// Error is a failed KMS call. Its message is in plain words and never holds
// a secret: it is built from the KMS error code and this package's own text,
// never from KMS's message or the request URL, both of which can echo the
// request's parameters (plaintexts, tokens).
type Error struct {
	Op        string // "encrypt", "decrypt", "generate a data key", "describe"
	KeyID     string // "" when unknown (Decrypt)
	Region    string
	Endpoint  string
	Kind      error  // one of the sentinels above, or nil
	Code      string // the KMS error code, "" for network failures
	Status    int    // the HTTP status, 0 for network failures
	RequestID string // KMS's request ID, for Alibaba Cloud support
	Attempts  int
	// Err is the network-level cause, if any (never a *url.Error).
	Err error

	words     string
	transient bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("failed to ")
	b.WriteString(e.Op)
	if e.KeyID != "" {
		b.WriteString(" with KMS key ")
		b.WriteString(e.KeyID)
	} else {
		b.WriteString(" with KMS")
	}
	b.WriteString(" in region ")
	b.WriteString(e.Region)
	b.WriteString(": ")
	b.WriteString(e.words)
	var extra []string
	if e.Code != "" {
		extra = append(extra, "KMS code "+e.Code)
	}
	if e.RequestID != "" {
		extra = append(extra, "request ID "+e.RequestID)
	}
	if e.Attempts > 1 {
		extra = append(extra, fmt.Sprintf("gave up after %d attempts", e.Attempts))
	}
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, ", ") + ")")
	}
	return b.String()
}

// Unwrap lets errors.Is see the sentinel and the network cause. A Decrypt
// that failed because this account cannot open the blob (the key is not
// there, or the blob is not its) also wraps envelope.ErrIncorrectIdentity,
// so that envelope.Open goes on to its next identity, as its KMS contract
// asks. Wrong credentials, a disabled key and network failures do not: the
// user has to hear about those rather than get "no key opens this object".
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.notThisAccount() {
		errs = append(errs, envelope.ErrIncorrectIdentity)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func (e *Error) notThisAccount() bool {
	if e.Op != opDecrypt {
		return false
	}
	switch {
	case e.Kind == ErrKeyNotFound, e.Kind == ErrInvalidCiphertext:
		return true
	case e.Code == "Forbidden.RAM", e.Code == "Forbidden.NoPermission":
		// The credentials work but may not use this blob's key: the blob
		// may well be another account's.
		return true
	}
	return false
}

// Temporary reports whether the call failed in a way worth retrying later.
func (e *Error) Temporary() bool { return e.transient }

type codeInfo struct {
	kind      error
	words     string
	transient bool
}

// codes maps KMS and Alibaba Cloud gateway error codes to plain words. The
// codes come from the KMS API reference (key-state table, per-action error
// tables, common error codes) and the OpenAPI gateway's common codes.
var codes = map[string]codeInfo{
	"InvalidAccessKeyId.NotFound":                {ErrAccessDenied, "access denied: Alibaba Cloud does not know this AccessKey ID; check it, or create a new AccessKey", false},
	"InvalidAccessKeyId.Inactive":                {ErrAccessDenied, "access denied: this AccessKey is disabled; enable it or use another one", false},
	"InvalidAccessKeyId":                         {ErrAccessDenied, "access denied: the AccessKey ID is not valid", false},
	"Forbidden.AccessKey":                        {ErrAccessDenied, "access denied: this AccessKey is not enabled", false},
	"Forbidden.AccessKeyDisabled":                {ErrAccessDenied, "access denied: this AccessKey is disabled", false},
	"SignatureDoesNotMatch":                      {ErrAccessDenied, "access denied: the AccessKey secret does not match the AccessKey ID", false},
	"IncompleteSignature":                        {ErrAccessDenied, "access denied: the request signature was refused; check the AccessKey secret", false},
	"InvalidSecurityToken.Expired":               {ErrAccessDenied, "access denied: the STS security token has expired; get a new one", false},
	"InvalidSecurityToken.Malformed":             {ErrAccessDenied, "access denied: the STS security token is missing or damaged", false},
	"InvalidSecurityToken.MismatchWithAccessKey": {ErrAccessDenied, "access denied: the STS security token does not belong to this AccessKey", false},
	"Forbidden.RAM":                              {ErrAccessDenied, "access denied: this AccessKey's RAM policy does not allow using this KMS key", false},
	"Forbidden.NoPermission":                     {ErrAccessDenied, "access denied: this AccessKey has no permission for this KMS operation", false},
	"Forbidden.KmsServiceNotEnabled":             {ErrAccessDenied, "access denied: KMS is not activated for this Alibaba Cloud account", false},
	"Forbidden.InDebt":                           {ErrAccessDenied, "access denied: the Alibaba Cloud account has an overdue payment", false},
	"Forbidden.InDebtOverdue":                    {ErrAccessDenied, "access denied: the Alibaba Cloud account has an overdue payment", false},

	"Forbidden.KeyNotFound":   {ErrKeyNotFound, "", false}, // words depend on the region; see keyNotFoundWords
	"Forbidden.AliasNotFound": {ErrKeyNotFound, "", false},
	"EntityNotExist.Key":      {ErrKeyNotFound, "", false},

	"Rejected.Disabled":        {ErrKeyDisabled, "the KMS key is disabled; enable it in the KMS console", false},
	"Rejected.PendingDeletion": {ErrKeyDisabled, "the KMS key is scheduled for deletion; cancel the deletion in the KMS console to use it again", false},
	// The KMS error-code table spells it this way too.
	"Rejetced.PendingDeletion": {ErrKeyDisabled, "the KMS key is scheduled for deletion; cancel the deletion in the KMS console to use it again", false},
	"Rejected.PendingImport":   {ErrKeyDisabled, "the KMS key has no key material yet (pending import)", false},
	"Rejected.Unavailable":     {ErrKeyDisabled, "the KMS key is unavailable", false},

	"IllegalTimestamp":            {nil, "the request's time was refused; check this computer's clock and time zone", false},
	"InvalidTimeStamp.Expired":    {nil, "this computer's clock is more than 15 minutes off; set the correct time", false},
	"SignatureNonceUsed":          {ErrUnavailable, "KMS saw this request's nonce before", true},
	"ServiceUnavailable":          {ErrUnavailable, "KMS is temporarily unavailable", true},
	"SerivceUnavailableTemporary": {ErrUnavailable, "KMS is temporarily unavailable", true},
	"ServiceUnavailableTemporary": {ErrUnavailable, "KMS is temporarily unavailable", true},
	"InternalFailure":             {ErrUnavailable, "KMS had an internal failure", true},
	"InternalError":               {ErrUnavailable, "KMS had an internal failure", true},
}

func keyNotFoundWords(region, keyID string) string {
	w := "the KMS key was not found in region " + region + "; check the key ID, and that the key was created in this region"
	if keyID == "" {
		w = "the KMS key that wrapped this data was not found in region " + region + "; it may have been deleted, or belong to another region or account"
	}
	return w
}

// fromServer turns a KMS error answer into an *Error.
func (e *Error) fromServer(se *sdkerrors.ServerError) {
	e.Code, e.Status, e.RequestID = se.ErrorCode(), se.HttpStatus(), se.RequestId()
	info, known := codes[e.Code]
	switch {
	case known:
		e.Kind, e.words, e.transient = info.kind, info.words, info.transient
		if info.kind == ErrKeyNotFound {
			e.words = keyNotFoundWords(e.Region, e.KeyID)
		}
	case strings.HasPrefix(e.Code, "Throttling"):
		e.Kind, e.words, e.transient = ErrUnavailable, "KMS is throttling requests from this account", true
	case strings.Contains(e.Code, "Ciphertext") || (e.Op == opDecrypt && strings.HasPrefix(e.Code, "InvalidParameter")):
		e.Kind, e.transient = ErrInvalidCiphertext, false
		e.words = "KMS could not decrypt the wrapped key: it is damaged, or it was made with a key of another region or account"
	case e.Status >= 500:
		e.Kind, e.transient = ErrUnavailable, true
		e.words = fmt.Sprintf("KMS at %s answered HTTP %d", e.Endpoint, e.Status)
	case e.Code == "":
		e.Kind, e.transient = ErrBadResponse, false
		e.words = fmt.Sprintf("%s answered HTTP %d without a KMS error; check the endpoint and any proxy", e.Endpoint, e.Status)
	default:
		e.words = fmt.Sprintf("KMS refused the request (HTTP %d)", e.Status)
	}
}

// fromTransport classifies a failure below HTTP. cause never is a *url.Error:
// their text holds the request URL, and so the KMS parameters.
func (e *Error) fromTransport(parent context.Context, cause error) {
	e.Err = cause
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		netErr  net.Error
		tlsErr  *tls.CertificateVerificationError
		uaErr   x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
	)
	switch {
	case parent.Err() != nil:
		e.Err = parent.Err()
		e.words = "the operation was canceled"
	case errors.Is(cause, errAnswerTooLarge):
		e.Kind = ErrBadResponse
		e.words = fmt.Sprintf("%s sent an answer larger than any KMS answer; check the endpoint and any proxy", e.Endpoint)
	case errors.As(cause, &tlsErr), errors.As(cause, &uaErr), errors.As(cause, &hostErr), errors.As(cause, &invErr):
		e.Kind = ErrCertificate
		e.words = fmt.Sprintf("the certificate of %s is not trusted (%v); for a private certificate authority set SSL_CERT_FILE", e.Endpoint, cause)
	case errors.Is(cause, context.DeadlineExceeded) || errors.As(cause, &netErr) && netErr.Timeout():
		e.Kind, e.transient = ErrTimeout, true
		e.words = fmt.Sprintf("KMS at %s did not answer in time", e.Endpoint)
	case errors.As(cause, &dnsErr):
		e.Kind, e.transient = ErrUnreachable, !dnsErr.IsNotFound
		e.words = fmt.Sprintf("could not find %s (%v); check the region, the endpoint and the network", e.Endpoint, cause)
	case errors.Is(cause, syscall.ECONNRESET), errors.Is(cause, syscall.ECONNABORTED), errors.Is(cause, syscall.EPIPE),
		errors.Is(cause, io.EOF), errors.Is(cause, io.ErrUnexpectedEOF):
		e.Kind, e.transient = ErrUnreachable, true
		e.words = fmt.Sprintf("the connection to %s was cut", e.Endpoint)
	case strings.Contains(cause.Error(), "stream error") || strings.Contains(cause.Error(), "GOAWAY"):
		// An HTTP/2 stream reset or a server going away: the HTTP/2 error
		// types are not exported, so only their text tells them apart.
		e.Kind, e.transient = ErrUnreachable, true
		e.words = fmt.Sprintf("the connection to %s was cut", e.Endpoint)
	case errors.As(cause, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect"):
		e.Kind, e.transient = ErrUnreachable, true
		e.words = fmt.Sprintf("could not connect to %s (%v); check the network", e.Endpoint, cause)
	default:
		e.Kind = ErrUnreachable
		e.words = fmt.Sprintf("could not talk to KMS at %s (%v)", e.Endpoint, cause)
	}
}

// classify turns whatever the SDK returned into an *Error.
func (c *Client) classify(parent context.Context, op, keyID string, err error) *Error {
	e := &Error{Op: op, KeyID: keyID, Region: c.region, Endpoint: c.ep.String()}
	var (
		se *sdkerrors.ServerError
		ce *sdkerrors.ClientError
		ue *url.Error
	)
	switch {
	case errors.As(err, &se):
		e.fromServer(se)
	case errors.As(err, &ue):
		e.fromTransport(parent, ue.Err)
	case errors.As(err, &ce):
		if ce.ErrorCode() == sdkerrors.JsonUnmarshalErrorCode {
			e.Kind = ErrBadResponse
			e.words = fmt.Sprintf("%s sent an answer that is not a KMS answer; check the endpoint and any proxy", e.Endpoint)
			break
		}
		if origin := ce.OriginError(); origin != nil {
			var oue *url.Error
			if errors.As(origin, &oue) {
				origin = oue.Err
			}
			e.fromTransport(parent, origin)
			break
		}
		// Only the code: an SDK message may quote the request.
		e.words = "the KMS client refused the request (" + ce.ErrorCode() + ")"
	default:
		e.fromTransport(parent, err)
	}
	return e
}
