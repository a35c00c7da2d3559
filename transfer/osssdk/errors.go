package osssdk

import (
	"errors"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/transfer"
)

// remoteError turns an SDK error into a transfer.RemoteError (which matches
// transfer's sentinels), keeping every other error as it is.
func remoteError(op string, err error) error {
	if err == nil {
		return nil
	}
	var se oss.ServiceError
	if errors.As(err, &se) {
		return &transfer.RemoteError{Op: op, Status: se.StatusCode, Code: se.Code, Message: se.Message}
	}
	var sep *oss.ServiceError
	if errors.As(err, &sep) {
		return &transfer.RemoteError{Op: op, Status: sep.StatusCode, Code: sep.Code, Message: sep.Message}
	}
	var ue oss.UnexpectedStatusCodeError
	if errors.As(err, &ue) {
		return &transfer.RemoteError{Op: op, Status: ue.Got()}
	}
	return transfer.NetError(op, err)
}
