package transfer_test

import (
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
)

// The package's tests reach OSS through the one adapter (see
// TestConnector).
func init() { transfer.TestConnector = osssdk.Connect }
