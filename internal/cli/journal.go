package cli

import (
	"fmt"

	"github.com/ossvault/ossvault/transfer"
)

// openJournal opens the transfer journal of env's home. A damaged record
// it sets aside is told on stderr as a warning, one line each: the
// transfer goes on from the start, and the user learns why it did not
// resume.
func openJournal(env *Env) (*transfer.Journal, error) {
	j, err := transfer.OpenJournal(env.Home)
	if err != nil {
		return nil, err
	}
	j.Warn = func(err error) { fmt.Fprintf(env.Err, "ossvault: warning: %s\n", err) }
	return j, nil
}
