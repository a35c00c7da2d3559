// Package localefix keeps Fyne from printing an error at start-up under the
// "C.UTF-8" locale that Debian-based systems, containers and cron jobs
// default to.
//
// Fyne reads the locale while its lang package initialises, before main
// runs; go-locale turns "C.UTF-8" into "C", which is no language tag, so
// Fyne logs "Error parsing user locale C" on stderr for every command,
// breaking the command line's one-line error contract. Plain "C" and
// "POSIX" are understood as "no localisation". This package narrows C.* and
// POSIX.* to their plain form during initialisation; main calls Restore
// first thing so child processes and the rest of the program see the user's
// real setting.
//
// It works because Go initialises packages in a fixed order (repeatedly the
// first, by import path, of those whose imports are all initialised): this
// package needs only os and strings, so it is ready, and initialised, long
// before Fyne's lang package, which waits for much of the standard library.
// main_test.go checks the outcome on the real binary.
package localefix

import (
	"os"
	"strings"
)

var saved = map[string]string{}

func init() {
	// The first of these that is set decides, as in go-locale.
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		base, _, hasSuffix := strings.Cut(v, ".")
		if hasSuffix && (base == "C" || base == "POSIX") {
			saved[name] = v
			os.Setenv(name, base)
		}
		return
	}
}

// Restore puts back the environment init narrowed.
func Restore() {
	for name, v := range saved {
		os.Setenv(name, v)
	}
}
