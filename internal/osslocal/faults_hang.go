package osslocal

import (
	"io"
	"net/http"
)

// Hang takes the request, body and all, and then never answers: the request
// stays open until the client gives up and closes the connection, or the
// server shuts down. Nothing is stored, and the access log records status 0.
// It is a peer that stopped answering in the middle of a transfer, which no
// error, reset or finite latency stands for: the client sees neither a
// failure to retry nor a byte of progress.
func Hang() Action { return Action{kind: actHang} }

// hang reads the body first: net/http notices a client closing the
// connection only once the body has been read, and until then the request's
// context would never end.
func hang(r *http.Request) {
	io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}
