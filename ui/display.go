package ui

import "errors"

// errNoDisplay is returned by Run when the computer has no desktop session to
// show the window on, such as an SSH login or a service.
var errNoDisplay = errors.New("no display: the ossvault window needs a desktop session (the command line works without one; see ossvault --help)")
