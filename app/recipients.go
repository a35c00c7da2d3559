package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// Several recipients: one upload locked for KeyFor and for each of
// AlsoFor, in that order.

// errSameKeyTwice: a key named twice among an upload's recipients.
var errSameKeyTwice = errors.New("the same key is chosen twice")

// wrappers returns the wrappers of first and the others, in order.
func (b *Service) wrappers(ctx context.Context, first string, others []string) ([]envelope.Wrapper, error) {
	seen := map[string]bool{}
	ws := make([]envelope.Wrapper, 0, 1+len(others))
	for _, name := range append([]string{first}, others...) {
		if seen[name] {
			return nil, fmt.Errorf("%s: %w", name, errSameKeyTwice)
		}
		seen[name] = true
		w, err := b.vault.Wrapper(ctx, name)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// longestKey is the longest object key of files: the one with the least
// room left for wraps.
func longestKey(files []transfer.PlannedUpload) string {
	var k string
	for _, f := range files {
		if len(f.Key) > len(k) {
			k = f.Key
		}
	}
	return k
}
