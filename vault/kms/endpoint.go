package kms

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// ErrInsecureEndpoint: the endpoint is plain http:// to a host that is not
// this computer. KMS requests carry data keys, so they travel over HTTPS.
var ErrInsecureEndpoint = errors.New("plain http is only allowed to this computer (a loopback address); use https")

var regionRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

type endpoint struct {
	scheme string // "HTTPS" or "HTTP", as the SDK's Config.Scheme wants it
	host   string // host[:port]
}

func (e endpoint) String() string { return strings.ToLower(e.scheme) + "://" + e.host }

// parseEndpoint resolves Config.Endpoint; see there for the accepted forms.
func parseEndpoint(region, raw string) (endpoint, error) {
	if raw == "" {
		return endpoint{scheme: "HTTPS", host: "kms." + region + ".aliyuncs.com"}, nil
	}
	if strings.Contains(raw, "@") {
		// Not quoted: what precedes the @ may be a password.
		return endpoint{}, errors.New("the KMS endpoint must not hold a user name or password")
	}
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return endpoint{}, fmt.Errorf("KMS endpoint %q is not a host name or URL", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("KMS endpoint %q must be a host and port only, without path or query", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return endpoint{scheme: "HTTPS", host: u.Host}, nil
	case "http":
		if !isLoopback(u.Hostname()) {
			return endpoint{}, fmt.Errorf("KMS endpoint %q: %w", raw, ErrInsecureEndpoint)
		}
		return endpoint{scheme: "HTTP", host: u.Host}, nil
	}
	return endpoint{}, fmt.Errorf("KMS endpoint %q: scheme must be https", raw)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// keyRegion returns the region named in a key ARN
// ("acs:kms:REGION:ACCOUNT:key/ID"), or "" for a plain key ID or alias.
func keyRegion(keyID string) string {
	if !strings.HasPrefix(keyID, "acs:kms:") {
		return ""
	}
	parts := strings.SplitN(keyID, ":", 4)
	if len(parts) < 4 {
		return ""
	}
	return parts[2]
}
