package transfer

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
)

// Link is a Reader over a presigned GET link, for someone who holds the
// link and the key but no OSS account. It speaks plain HTTP: a V1
// signature covers the method and the resource but not the Range or
// If-Match headers, so ranged, pinned, parallel GETs work on the link as on
// the bucket. The key argument of its methods is ignored: the link names
// the object.
type Link struct {
	URL *url.URL
	// Client is the HTTP client; nil means the package's, on which plain
	// http dials only loopback IPs and no redirect leaves https.
	Client *http.Client
}

var _ Reader = (*Link)(nil)

// ParseLink parses a link printed by share.
func ParseLink(s string) (*Link, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// The link may still carry its signature after the host.
		return nil, fmt.Errorf("not a shared link: %q", safetext.StripQuery(s))
	}
	return &Link{URL: u}, nil
}

// ObjectName is the last segment of the object's key, for naming the
// downloaded file. (Whether the path starts with the bucket depends on the
// endpoint's addressing style, so the full key is not knowable here.)
func (l *Link) ObjectName() string {
	return path.Base(l.URL.Path)
}

// ID identifies the linked object without the signature, which differs
// from link to link for the same object.
func (l *Link) ID() string {
	return l.URL.Scheme + "://" + l.URL.Host + l.URL.EscapedPath()
}

func (l *Link) client() *http.Client {
	if l.Client != nil {
		return l.Client
	}
	return linkClient
}

// Head reads the first byte: the link is signed for GET only, and a ranged
// GET returns every header a HEAD would plus the size in Content-Range.
func (l *Link) Head(ctx context.Context, _ string) (ObjectInfo, error) {
	body, h, err := l.get(ctx, "0-0", "")
	if err != nil {
		return ObjectInfo{}, err
	}
	body.Close()
	return InfoFromHeader(l.ObjectName(), h)
}

func (l *Link) GetRange(ctx context.Context, _ string, start, end int64, etag string) (io.ReadCloser, http.Header, error) {
	return l.get(ctx, strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10), etag)
}

// ErrLinkNoTags: a shared link without the fragment that ShareLink adds
// cannot give an object's tags, where a multipart object keeps its
// integrity check.
var ErrLinkNoTags = errors.New("the link does not carry the integrity check of this object uploaded in parts (share it again with this version)")

// GetTagging returns the tags ShareLink put in the link's fragment: a
// presigned GET link is signed for the object's content only. Without
// them the download fails closed rather than unverified.
func (l *Link) GetTagging(context.Context, string) (map[string]string, error) {
	q, err := url.ParseQuery(l.URL.EscapedFragment())
	tags := make(map[string]string)
	for _, name := range envelope.TrailerHeaders {
		if v := q.Get(name); v != "" && err == nil {
			tags[name] = v
		}
	}
	if len(tags) == 0 {
		return nil, Permanent(fmt.Errorf("%w: %w", ErrLinkNoTags, envelope.ErrIntegrity))
	}
	return tags, nil
}

func (l *Link) get(ctx context.Context, rng, etag string) (io.ReadCloser, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.URL.String(), nil)
	if err != nil {
		return nil, nil, Permanent(fmt.Errorf("failed to build the request: %w", err))
	}
	req.Header.Set("Range", "bytes="+rng)
	if etag != "" {
		req.Header.Set("If-Match", etag)
	}
	resp, err := l.client().Do(req)
	if err != nil {
		// net/http quotes the whole URL, signature included.
		return nil, nil, NetError("GetObject", safetext.StripURLError(err))
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent:
		return resp.Body, resp.Header, nil
	}
	defer resp.Body.Close()
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
	re := &RemoteError{Op: "GetObject", Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	if resp.StatusCode == http.StatusForbidden && (e.Code == "AccessDenied" && strings.Contains(strings.ToLower(e.Message), "expire")) {
		return nil, nil, fmt.Errorf("%w (%v)", ErrLinkExpired, re)
	}
	return nil, nil, re
}
