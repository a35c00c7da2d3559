package transfer

import (
	"context"
	"fmt"
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

var _ Lister = (*Retrying)(nil)
