package cli

import (
	"fmt"
	"io"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/vault"
)

// printRecipients writes info's recipient lines: one per wrap of the data
// key, the SDK headers' first, each the name of the key of this vault with
// that matdesc (a colleague's public key included) or "unknown", and the
// matdesc as stored ("-" when none), escaped like info's matdesc line.
func printRecipients(w io.Writer, v *vault.Vault, e *envelope.Envelope) {
	if e == nil {
		return
	}
	for _, r := range e.Wraps() {
		name := "unknown"
		if n, ok := v.RecipientName(r); ok {
			name = safetext.Name(n)
		}
		md := safetext.Line(r.RawMatDesc)
		if md == "" {
			md = "-"
		}
		fmt.Fprintf(w, "recipient: %s %s\n", name, md)
	}
}
