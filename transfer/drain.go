package transfer

import (
	"context"
	"errors"
	"time"
)

// pauseGrace is how long the part requests in flight when an upload is
// paused may take to finish before they are cut off.
const pauseGrace = 5 * time.Second

// requestContext returns the context for the part requests of a run under
// ctx. It ends as soon as ctx does, with ctx's cause, except that when ctx
// ends with ErrPaused the requests in flight get up to pauseGrace to
// finish first: a paused run keeps the parts it was sending instead of
// throwing them away, and does not return while a request of its own is
// still on its way to the server, where it would be stored after the run
// said it stopped. The caller must not start new requests once ctx has
// ended, and calls release when the run's requests have returned.
func requestContext(ctx context.Context) (rctx context.Context, release func()) {
	rctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	grace := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		cause := context.Cause(ctx)
		if !errors.Is(cause, ErrPaused) {
			cancel(cause)
			return
		}
		t := time.NewTimer(pauseGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel(cause)
		case <-grace:
		}
	})
	return rctx, func() {
		stop()
		close(grace)
		cancel(context.Canceled)
	}
}
