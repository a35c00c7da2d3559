package transfer

import (
	"context"
	"fmt"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// MaxListPage is the most keys OSS returns in one listing request.
const MaxListPage = 1000

// Page is one page of a listing: the objects and the common prefixes
// (folders, when the delimiter is "/") of that page, each in key order as
// OSS returns them.
type Page struct {
	Objects  []Entry
	Prefixes []string
	// Next is the token of the next page; "" on the last page.
	Next string
}

// Lister lists a bucket a page at a time, for a screen that shows the
// first rows of a folder of 100,000 objects before the rest is read.
type Lister interface {
	// ListPage returns at most max keys (objects and prefixes together;
	// MaxListPage if max is out of 1..MaxListPage) under prefix, starting
	// at token ("" for the first page). With a delimiter, keys that
	// contain it after prefix are rolled up into Prefixes.
	ListPage(ctx context.Context, prefix, delimiter, token string, max int) (Page, error)
}

// ListPage makes one ListObjectsV2 request; retries are Retrying's job.
func (s *OSS) ListPage(ctx context.Context, prefix, delimiter, token string, max int) (Page, error) {
	if max < 1 || max > MaxListPage {
		max = MaxListPage
	}
	opts := []oss.Option{oss.WithContext(ctx), oss.Prefix(prefix), oss.MaxKeys(max)}
	if delimiter != "" {
		opts = append(opts, oss.Delimiter(delimiter))
	}
	if token != "" {
		opts = append(opts, oss.ContinuationToken(token))
	}
	r, err := s.Bucket.ListObjectsV2(opts...)
	if err := ossError("ListObjectsV2", err); err != nil {
		return Page{}, fmt.Errorf("failed to list %q: %w", prefix, err)
	}
	p := Page{Prefixes: r.CommonPrefixes}
	for _, o := range r.Objects {
		p.Objects = append(p.Objects, Entry{Key: o.Key, Size: o.Size, LastModified: o.LastModified})
	}
	if r.IsTruncated {
		p.Next = r.NextContinuationToken
	}
	return p, nil
}

// ListPage retries a transient failure of the wrapped store's ListPage; a
// store that cannot list fails permanently.
func (r *Retrying) ListPage(ctx context.Context, prefix, delimiter, token string, max int) (p Page, err error) {
	l, ok := r.Store.(Lister)
	if !ok {
		return Page{}, fmt.Errorf("this store cannot list objects")
	}
	err = r.Policy.Do(ctx, func() (err error) {
		p, err = l.ListPage(ctx, prefix, delimiter, token, max)
		return err
	})
	return p, err
}

var (
	_ Lister = (*OSS)(nil)
	_ Lister = (*Retrying)(nil)
)

// ListBuckets returns the names of the buckets the client's account owns,
// every page of them, in OSS's order (by name). Like ListPage it tries each
// request once, so a screen waiting on it hears of a network failure at
// once; a caller that prefers to wait runs it under a Policy.
func ListBuckets(ctx context.Context, client *oss.Client) ([]string, error) {
	var out []string
	marker := ""
	for {
		r, err := client.ListBuckets(oss.Marker(marker), oss.WithContext(ctx))
		if err := ossError("ListBuckets", err); err != nil {
			return nil, fmt.Errorf("failed to list the buckets: %w", err)
		}
		for _, b := range r.Buckets {
			out = append(out, b.Name)
		}
		if !r.IsTruncated || r.NextMarker == "" {
			return out, nil
		}
		marker = r.NextMarker
	}
}
