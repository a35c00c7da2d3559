package app

import (
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// AccountConn is how a saved account becomes a connection, for the app and
// the command line alike: its address and region from the vault, its
// AccessKey from the keychain. For the local storage's own account
// (vault.Account.IsLocalStore; local is true) every socket the connection
// opens first makes the server on that address prove it holds the store's
// key: the app keeping the store may quit, and its port change hands,
// while a client runs. impostor words such a refusal (nil: the app's own
// wording); it is final, so no retry sends anything either.
func AccountConn(v *vault.Vault, name string, impostor func(addr string, err error) error) (c transfer.Conn, local bool, err error) {
	a, err := v.Account(name)
	if err != nil {
		return transfer.Conn{}, false, err
	}
	id, secret, token, err := v.Credentials(name)
	if err != nil {
		return transfer.Conn{}, false, err
	}
	c = transfer.Conn{Endpoint: a.Endpoint, Region: a.Region, AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}
	if !a.IsLocalStore() {
		return c, false, nil
	}
	if impostor == nil {
		impostor = localImpostor
	}
	c.Dial = localDial(osslocal.Credential{AccessKeyID: id, AccessKeySecret: secret}, impostor)
	return c, true, nil
}
