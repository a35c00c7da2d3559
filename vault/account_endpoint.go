package vault

import "fmt"

// SetAccountEndpoint points a saved account at another endpoint, keeping its
// AccessKey and keychain entry. It is for a store whose address can move,
// such as the app's own store on this computer when its port is taken. The
// region is derived again from the new endpoint and must still resolve.
func (v *Vault) SetAccountEndpoint(name, endpoint string) (Account, error) {
	endpoint, err := NormalizeEndpoint(endpoint)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = v.update(func(r *registry) error {
		_, a := r.account(name)
		if a == nil {
			return fmt.Errorf("%w: %q", ErrAccountNotFound, name)
		}
		region := a.Region
		if derived, ok := RegionFromEndpoint(endpoint); ok {
			region = derived
		}
		if region, err = resolveRegion(endpoint, region); err != nil {
			return err
		}
		a.Endpoint, a.Region = endpoint, region
		out = toAccount(a)
		return nil
	})
	return out, err
}

// SetVerifiedOnly turns Account.VerifiedOnly on or off for a saved account.
func (v *Vault) SetVerifiedOnly(name string, on bool) (Account, error) {
	var out Account
	err := v.update(func(r *registry) error {
		_, a := r.account(name)
		if a == nil {
			return fmt.Errorf("%w: %q", ErrAccountNotFound, name)
		}
		a.VerifiedOnly = on
		out = toAccount(a)
		return nil
	})
	return out, err
}
