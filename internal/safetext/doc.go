// Package safetext makes text that comes from outside the program safe to
// print on a terminal or in a log.
//
// Object keys, bucket names, file names and object metadata are chosen by
// whoever wrote them, and any string may hold a line break that forges a
// second line of output or an ANSI escape that rewrites the terminal. Name,
// Path and Line render such characters as Go-style escapes, so that one
// entry always stays one line and reads the same on every terminal.
//
// Presigned links carry their signature in the query string, and an error
// from net/http quotes the whole URL it failed on. StripQuery removes the
// query of a URL where an error is built; RedactSignatures is the last line
// of defence for a whole message.
package safetext
