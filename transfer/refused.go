package transfer

import (
	"errors"

	"github.com/ossvault/ossvault/envelope"
)

// refused is what Download and Check return when the integrity check
// failed: the error, and a Result whose Integrity is envelope.Failed, so
// that a caller can remember which version of the object was altered
// (Info.ETag) without parsing the error. Any other error returns no Result.
func refused(p *prepared, err error) (*Result, error) {
	if p == nil || !errors.Is(err, envelope.ErrIntegrity) {
		return nil, err
	}
	return &Result{Info: p.info, Envelope: p.env, Integrity: envelope.Failed}, err
}
