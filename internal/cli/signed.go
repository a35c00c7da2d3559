package cli

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// printSigned writes info's signed-by, uploaded-as and uploaded-at lines.
// They name a writer, a name and a time only for an object whose MAC and
// signature both verified (verified): anything else is "none" and "-", as
// nothing then vouches for them.
func printSigned(w io.Writer, v *vault.Vault, e *envelope.Envelope, verified bool) {
	if !verified || !e.Signed() {
		fmt.Fprint(w, "signed-by: none\nuploaded-as: -\nuploaded-at: -\n")
		return
	}
	fmt.Fprintf(w, "signed-by: %s\nuploaded-as: %s\nuploaded-at: %s\n",
		signedBy(v, e), safetext.Name(e.UploadedAs()), e.UploadedAt.UTC().Format(time.RFC3339))
}

// signedBy is the writer of a signed object: the key name this vault knows
// the signing key by and its fingerprint, or "unknown" and the fingerprint.
func signedBy(v *vault.Vault, e *envelope.Envelope) string {
	name, fp, known := v.Signer(e.Signer)
	if !known {
		return "unknown " + fp
	}
	return safetext.Name(name) + " " + fp
}

// renamedWarning says when a verified, signed object is read under another
// name than the one its writer bound: a copy over another name, which the
// MAC alone does not catch.
func renamedWarning(env *Env, job *transfer.DownloadJob, res *transfer.Result) {
	e := res.Envelope
	if res.Integrity != envelope.Verified || !e.Signed() || job == nil || readAs(job, e) {
		return
	}
	fmt.Fprintf(env.Err, "ossvault: warning: %s was uploaded as %s on %s\n",
		safetext.Path(job.SourceID), safetext.Name(e.UploadedAs()), e.UploadedAt.UTC().Format(time.RFC3339))
}

// readAs reports whether job reads the object under the name e binds.
func readAs(job *transfer.DownloadJob, e *envelope.Envelope) bool {
	link, ok := job.Source.(*transfer.Link)
	if !ok {
		return job.SourceID == "oss://"+e.UploadedBucket+"/"+e.UploadedKey
	}
	// A link names the bucket in its host (or, path-style, first in its
	// path) and the key in its path.
	p, err := url.PathUnescape(link.URL.EscapedPath())
	if err != nil {
		return false
	}
	p = strings.TrimPrefix(p, "/")
	host := link.URL.Hostname()
	return p == e.UploadedKey && strings.HasPrefix(host, e.UploadedBucket+".") || p == e.UploadedBucket+"/"+e.UploadedKey
}
