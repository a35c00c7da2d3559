// Command ossvault encrypts files on this computer and moves them through
// Alibaba Cloud Object Storage Service in OSS's own client-side-encryption
// format. With no arguments it opens the desktop app; otherwise it runs the
// command line described in the README.
package main

import (
	"os"

	"github.com/ossvault/ossvault/internal/cli"
	"github.com/ossvault/ossvault/internal/localefix"    // initialises before Fyne; see its doc
	_ "github.com/ossvault/ossvault/internal/winconsole" // the Windows GUI build prints to the console it was started from
	"github.com/ossvault/ossvault/transfer/osssdk"
	"github.com/ossvault/ossvault/ui"
)

func main() {
	localefix.Restore()
	os.Exit(cli.Main(os.Args[1:], cli.Std(), runApp))
}

// runApp opens the desktop app, which reaches OSS through the SDK's one
// adapter.
func runApp(o cli.AppOptions) error {
	return ui.Run(ui.Options{Local: o.Local, Home: o.Home, Context: o.Context, Connect: osssdk.Connect})
}
