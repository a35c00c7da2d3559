package vault

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ossutilProfile is one set of credentials found in an ossutil config file.
// It holds secrets: never print it.
type ossutilProfile struct {
	name     string
	endpoint string
	region   string
	id       string
	secret   string
	token    string
	mode     string
	// v1 is true for ossutil 1.x's [Credentials] section.
	v1 bool
}

// SkippedProfile is an ossutil profile that was not imported, and why.
type SkippedProfile struct {
	Name   string
	Reason string
}

// OssutilImport is the outcome of ImportOssutilReport.
type OssutilImport struct {
	Imported []Account
	Skipped  []SkippedProfile
}

// DefaultOssutilConfig is ossutil's default config file, ~/.ossutilconfig.
func DefaultOssutilConfig() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home folder for ~/.ossutilconfig: %w", err)
	}
	return filepath.Join(home, ".ossutilconfig"), nil
}

// ImportOssutil saves the accounts found in an ossutil config file (path ""
// means ~/.ossutilconfig) and returns those saved. See ImportOssutilReport.
func (v *Vault) ImportOssutil(path string) ([]Account, error) {
	rep, err := v.ImportOssutilReport(path)
	if err != nil {
		return nil, err
	}
	return rep.Imported, nil
}

// ImportOssutilReport reads ossutil's config file, in both of its formats:
//
//   - ossutil 1.x: a [Credentials] section with endpoint, accessKeyID,
//     accessKeySecret and stsToken (and their aliases), imported as the
//     account "ossutil";
//   - ossutil 2.x: [default] (or [profile default]), imported as "ossutil"
//     (or "ossutil-default" when a 1.x section took that name), and
//     [profile NAME] sections, imported as NAME, with accessKeyId,
//     accessKeySecret, stsToken, region, endpoint and source-profile. Key names
//     are compared as ossutil 2.x does: case-insensitively, ignoring '-' and
//     '_'.
//
// A profile with only a region gets that region's public endpoint; plain
// http endpoints to Alibaba Cloud are upgraded to https. Profiles without
// an AccessKey (RAM role, ECS role or external-process modes), whose name
// is already taken, or whose endpoint is unusable are skipped, with the
// reason. Nothing is changed on a read or parse failure.
func (v *Vault) ImportOssutilReport(path string) (*OssutilImport, error) {
	if path == "" {
		var err error
		if path, err = DefaultOssutilConfig(); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read the ossutil config file: %w", err)
	}
	defer f.Close()
	profiles, err := parseOssutilConfig(f)
	if err != nil {
		return nil, fmt.Errorf("failed to read the ossutil config file %s: %w", path, err)
	}
	rep := new(OssutilImport)
	for _, p := range profiles {
		if p.id == "" || p.secret == "" {
			reason := "it has no AccessKey ID and secret"
			if p.mode != "" {
				reason += " (mode " + p.mode + " is not supported)"
			}
			rep.Skipped = append(rep.Skipped, SkippedProfile{p.name, reason})
			continue
		}
		if _, err := v.Account(p.name); err == nil {
			rep.Skipped = append(rep.Skipped, SkippedProfile{p.name, "an account with this name already exists"})
			continue
		}
		endpoint := p.endpoint
		if endpoint == "" && p.region != "" {
			endpoint = "https://oss-" + strings.TrimPrefix(p.region, "oss-") + ".aliyuncs.com"
		}
		if rest, ok := strings.CutPrefix(endpoint, "http://"); ok && strings.HasSuffix(hostOnly(rest), ".aliyuncs.com") {
			endpoint = "https://" + rest
		}
		a, err := v.AddAccount(Account{Name: p.name, Endpoint: endpoint, Region: p.region, AccessKeyID: p.id}, p.secret, p.token)
		switch {
		case errors.Is(err, ErrKeychainUnavailable):
			return rep, err
		case errors.Is(err, ErrAccountExists):
			rep.Skipped = append(rep.Skipped, SkippedProfile{p.name, "an account with this name already exists"})
		case err != nil:
			rep.Skipped = append(rep.Skipped, SkippedProfile{p.name, err.Error()})
		default:
			rep.Imported = append(rep.Imported, a)
		}
	}
	return rep, nil
}

func hostOnly(s string) string {
	if i := strings.IndexAny(s, "/:"); i >= 0 {
		return s[:i]
	}
	return s
}

// ossutilSection is one [section] of an ossutil config that ossvault
// imports.
type ossutilSection struct {
	name   string
	v1     bool // ossutil 1.x's [Credentials]
	values map[string]string
}

// parseOssutilConfig reads the INI file into profiles, inheriting
// source-profile settings. Errors never quote values (they may be secrets).
func parseOssutilConfig(r io.Reader) ([]ossutilProfile, error) {
	sections, err := readOssutilSections(r)
	if err != nil {
		return nil, err
	}
	byName := map[string]*ossutilSection{}
	anyV1 := false
	for _, s := range sections {
		if !s.v1 {
			byName[s.name] = s
		}
		anyV1 = anyV1 || s.v1
	}
	first := func(s *ossutilSection, keys ...string) string {
		for _, k := range keys {
			if v := inheritedValue(byName, s, k); v != "" {
				return v
			}
		}
		return ""
	}
	var out []ossutilProfile
	for _, s := range sections {
		p := ossutilProfile{
			name:     s.name,
			v1:       s.v1,
			endpoint: first(s, "endpoint", "host"),
			region:   first(s, "region"),
			id:       first(s, "accesskeyid", "accessid"),
			secret:   first(s, "accesskeysecret", "accesskey"),
			token:    first(s, "ststoken", "securitytoken"),
			mode:     first(s, "mode"),
		}
		if !s.v1 && s.name == "default" {
			p.name = "ossutil"
			if anyV1 {
				p.name = "ossutil-default"
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// inheritedValue is key's value in s or, when s has none, in the profile
// its source-profile names, following at most ten links (a loop ends).
func inheritedValue(byName map[string]*ossutilSection, s *ossutilSection, key string) string {
	for depth := 0; s != nil && depth < 10; depth++ {
		if v, ok := s.values[key]; ok && v != "" {
			return v
		}
		src := s.values["sourceprofile"]
		if src == "" {
			break
		}
		s = byName[src]
	}
	return ""
}

// readOssutilSections splits the file into the sections ossvault imports;
// the others ([Bucket-Endpoint], [buckets x], ...) are read past.
func readOssutilSections(r io.Reader) ([]*ossutilSection, error) {
	var sections []*ossutilSection
	var cur *ossutilSection
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: a section header must end with ]", n)
			}
			if cur = ossutilSectionFor(strings.TrimSpace(line[1 : len(line)-1])); cur != nil {
				sections = append(sections, cur)
			}
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			return nil, fmt.Errorf("line %d: expected key = value", n)
		}
		if cur != nil {
			cur.values[normalizeOssutilKey(line[:i])] = strings.TrimSpace(line[i+1:])
		}
	}
	return sections, sc.Err()
}

// ossutilSectionFor is the section a header names, or nil for one that
// holds no profile.
func ossutilSectionFor(name string) *ossutilSection {
	lower := strings.ToLower(name)
	switch {
	case lower == "credentials":
		return &ossutilSection{name: "ossutil", v1: true, values: map[string]string{}}
	case lower == "default" || lower == "profile default":
		return &ossutilSection{name: "default", values: map[string]string{}}
	case strings.HasPrefix(lower, "profile ") || strings.HasPrefix(lower, "profile\t"):
		return &ossutilSection{name: strings.TrimSpace(name[len("profile "):]), values: map[string]string{}}
	}
	return nil
}

// normalizeOssutilKey compares keys as ossutil 2.x does: accessKeyId,
// access-key-id and access_key_id are the same key.
func normalizeOssutilKey(k string) string {
	k = strings.ToLower(strings.TrimSpace(k))
	return strings.NewReplacer("-", "", "_", "").Replace(k)
}
