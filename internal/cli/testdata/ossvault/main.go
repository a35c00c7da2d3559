// Command ossvault is the command line without the desktop app, built by
// the command-line tests to run as a real child process (so that a test
// can kill it with SIGKILL mid-transfer).
package main

import (
	"os"

	"github.com/ossvault/ossvault/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Std(), nil))
}
