package osslocal

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Credential is an access key the server accepts. A non-empty
// SecurityToken makes it an STS credential: requests signed with it must
// carry that token (x-oss-security-token header, or the security-token /
// x-oss-security-token query parameter of a presigned URL).
type Credential struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// maxClockSkew is how far a signed request's date may be from the server's
// clock, as on OSS.
const maxClockSkew = 15 * time.Minute

// v1SignedParams are the query parameters that V1 signatures cover in the
// canonicalized resource: the union of what the Go SDKs (v1 conn.go
// signKeyList, v2 signer/v1.go requiredSignedParametersMap) sign. Query
// parameters starting with "x-oss-" are signed as well.
var v1SignedParams = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`acl uploads location cors logging website referer lifecycle
		delete append tagging objectMeta uploadId partNumber security-token position img style
		styleName replication replicationProgress replicationLocation cname bucketInfo comp qos
		live status vod startTime endTime symlink x-oss-process response-content-type
		x-oss-traffic-limit response-content-language response-expires response-cache-control
		response-content-disposition response-content-encoding udf udfName udfImage udfId
		udfImageDesc udfApplication udfApplicationLog restore callback callback-var qosInfo policy
		stat encryption versions versioning versionId requestPayment x-oss-request-payer sequential
		inventory inventoryId continuation-token asyncFetch worm wormId wormExtend withHashContext
		x-oss-enable-md5 x-oss-enable-sha1 x-oss-enable-sha256 x-oss-hash-ctx x-oss-md5-ctx
		transferAcceleration regionList cloudboxes x-oss-ac-source-ip x-oss-ac-subnet-mask
		x-oss-ac-vpc-id x-oss-ac-forward-allow metaQuery resourceGroup rtc x-oss-async-process
		responseHeader`) {
		m[k] = true
	}
	return m
}()

func errSignature(stringToSign, ak string) *apiError {
	return newError(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.").
		with("StringToSign", stringToSign).with("OSSAccessKeyId", ak).withEC("0002-00000040")
}

func errUnknownKey(ak string) *apiError {
	return newError(http.StatusForbidden, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.").
		with("OSSAccessKeyId", ak).withEC("0002-00000902")
}

var errExpired = errAccessDenied("Request has expired.").withEC("0002-00000069")

// authenticate checks the request's signature (header or query, V1 or V4)
// and returns nil if it is good.
func (s *Server) authenticate(r *http.Request, rt route) *apiError {
	authz := r.Header.Get("Authorization")
	q := r.URL.Query()
	switch {
	case strings.HasPrefix(authz, "OSS4-HMAC-SHA256 "):
		return s.authV4(r, rt, authz, q, false)
	case strings.HasPrefix(authz, "OSS "):
		return s.authV1Header(r, rt, authz, q)
	case authz != "":
		return errInvalidArgument("Authorization header is invalid.").withEC("0002-00000001")
	case q.Get("x-oss-signature-version") == "OSS4-HMAC-SHA256" && q.Has("x-oss-signature"):
		return s.authV4(r, rt, "", q, true)
	case q.Has("OSSAccessKeyId") && q.Has("Signature"):
		return s.authV1Query(r, rt, q)
	}
	return errAccessDenied("You have no right to access this object because of bucket acl.").withEC("0003-00000001")
}

func (s *Server) credential(ak string, r *http.Request, q url.Values) (Credential, *apiError) {
	c, ok := s.creds[ak]
	if !ok {
		return Credential{}, errUnknownKey(ak)
	}
	if c.SecurityToken != "" {
		tok := r.Header.Get("x-oss-security-token")
		if tok == "" {
			tok = q.Get("security-token")
		}
		if tok == "" {
			tok = q.Get("x-oss-security-token")
		}
		if !hmac.Equal([]byte(tok), []byte(c.SecurityToken)) {
			return Credential{}, newError(http.StatusForbidden, "InvalidSecurityToken", "The security token you provided is invalid.")
		}
	}
	return c, nil
}

func (s *Server) checkSkew(t time.Time) *apiError {
	if d := s.now().Sub(t); d > maxClockSkew || d < -maxClockSkew {
		return newError(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	}
	return nil
}

// requestTime reads x-oss-date (ISO 8601 basic) or else Date (RFC 1123).
func requestTime(r *http.Request) (time.Time, bool) {
	if v := r.Header.Get("x-oss-date"); v != "" {
		if t, err := time.Parse("20060102T150405Z", v); err == nil {
			return t, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return t, true
		}
		return time.Time{}, false
	}
	t, err := http.ParseTime(r.Header.Get("Date"))
	return t, err == nil
}

func (s *Server) authV1Header(r *http.Request, rt route, authz string, q url.Values) *apiError {
	ak, sig, ok := strings.Cut(strings.TrimPrefix(authz, "OSS "), ":")
	if !ok {
		return errInvalidArgument("Authorization header is invalid.").withEC("0002-00000001")
	}
	t, ok := requestTime(r)
	if !ok {
		return errAccessDenied("The Date header is missing or invalid.")
	}
	if e := s.checkSkew(t); e != nil {
		return e
	}
	c, e := s.credential(ak, r, q)
	if e != nil {
		return e
	}
	sts := v1StringToSign(r, rt, q, r.Header.Get("Date"))
	if !hmac.Equal([]byte(sig), []byte(v1Sign(c.AccessKeySecret, sts))) {
		return errSignature(sts, ak)
	}
	return nil
}

func (s *Server) authV1Query(r *http.Request, rt route, q url.Values) *apiError {
	ak := q.Get("OSSAccessKeyId")
	expires := q.Get("Expires")
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return errAccessDenied("Invalid Expires value.")
	}
	c, e := s.credential(ak, r, q)
	if e != nil {
		return e
	}
	sts := v1StringToSign(r, rt, q, expires)
	if !hmac.Equal([]byte(q.Get("Signature")), []byte(v1Sign(c.AccessKeySecret, sts))) {
		return errSignature(sts, ak)
	}
	if s.now().Unix() > exp {
		return errExpired
	}
	return nil
}

func v1Sign(secret, sts string) string {
	h := hmac.New(sha1.New, []byte(secret))
	h.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// v1StringToSign builds VERB, Content-MD5, Content-Type, Date (or Expires
// for a presigned URL), the x-oss-* headers and the canonicalized resource.
func v1StringToSign(r *http.Request, rt route, q url.Values, date string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(r.Header.Get("Content-MD5") + "\n")
	b.WriteString(r.Header.Get("Content-Type") + "\n")
	b.WriteString(date + "\n")
	for _, h := range ossHeaders(r, nil) {
		b.WriteString(h)
	}
	b.WriteString(v1Resource(rt))
	var params []string
	for k := range q {
		if v1SignedParams[k] || strings.HasPrefix(k, "x-oss-") {
			params = append(params, k)
		}
	}
	sort.Strings(params)
	for i, k := range params {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if v := q.Get(k); v != "" {
			b.WriteString("=" + v)
		}
	}
	return b.String()
}

func v1Resource(rt route) string {
	if rt.bucket == "" {
		return "/"
	}
	return "/" + rt.bucket + "/" + rt.key
}

// ossHeaders returns "name:value\n" lines, sorted by name, for the x-oss-*
// headers and, for V4, content-type, content-md5 and the additional headers.
func ossHeaders(r *http.Request, v4Additional []string) []string {
	var names []string
	seen := map[string]bool{}
	for k := range r.Header {
		low := strings.ToLower(k)
		if strings.HasPrefix(low, "x-oss-") || (v4Additional != nil && (low == "content-type" || low == "content-md5")) {
			names = append(names, low)
			seen[low] = true
		}
	}
	for _, a := range v4Additional {
		if !seen[a] {
			names = append(names, a)
			seen[a] = true
		}
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		var vals []string
		if n == "host" {
			vals = []string{r.Host}
		} else {
			vals = r.Header.Values(n)
		}
		for i, v := range vals {
			vals[i] = strings.TrimSpace(v)
		}
		out = append(out, n+":"+strings.Join(vals, ",")+"\n")
	}
	return out
}

// escapeV4 percent-encodes everything but RFC 3986's unreserved characters
// (and "/" when keepSlash), as both SDKs' V4 signers do.
func escapeV4(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && keepSlash) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

type v4Auth struct {
	ak, date, region, product string
	additional                []string
	signature                 string
}

func parseV4Credential(cred string, a *v4Auth) bool {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aliyun_v4_request" {
		return false
	}
	a.ak, a.date, a.region, a.product = parts[0], parts[1], parts[2], parts[3]
	return true
}

func parseV4Additional(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ";") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

func (s *Server) authV4(r *http.Request, rt route, authz string, q url.Values, query bool) *apiError {
	var a v4Auth
	var signDate string
	var signTime time.Time
	bad := errInvalidArgument("Authorization is invalid.").withEC("0002-00000001")
	if query {
		if !parseV4Credential(q.Get("x-oss-credential"), &a) {
			return bad
		}
		a.additional = parseV4Additional(q.Get("x-oss-additional-headers"))
		a.signature = q.Get("x-oss-signature")
		signDate = q.Get("x-oss-date")
		t, err := time.Parse("20060102T150405Z", signDate)
		if err != nil {
			return bad
		}
		signTime = t
	} else {
		for _, field := range strings.Split(strings.TrimPrefix(authz, "OSS4-HMAC-SHA256 "), ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
			switch k {
			case "Credential":
				if !parseV4Credential(v, &a) {
					return bad
				}
			case "AdditionalHeaders":
				a.additional = parseV4Additional(v)
			case "Signature":
				a.signature = v
			}
		}
		if a.ak == "" || a.signature == "" {
			return bad
		}
		// The v1 SDK signs with the Date header's text when it sends no
		// x-oss-date; the v2 SDK sends x-oss-date.
		signDate = r.Header.Get("x-oss-date")
		if signDate == "" {
			signDate = r.Header.Get("Date")
		}
		t, ok := requestTime(r)
		if !ok {
			return errAccessDenied("The x-oss-date header is missing or invalid.")
		}
		if e := s.checkSkew(t); e != nil {
			return e
		}
		signTime = t
	}
	if s.region != "" && a.region != s.region {
		return errInvalidArgument("Invalid signing region in Authorization header.").withEC("0002-00000017")
	}
	c, e := s.credential(a.ak, r, q)
	if e != nil {
		return e
	}
	canon := v4CanonicalRequest(r, rt, q, a.additional, query)
	sum := sha256.Sum256([]byte(canon))
	scope := a.date + "/" + a.region + "/" + a.product + "/aliyun_v4_request"
	sts := "OSS4-HMAC-SHA256\n" + signDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("aliyun_v4"+c.AccessKeySecret), a.date)
	key = hmacSHA256(key, a.region)
	key = hmacSHA256(key, a.product)
	key = hmacSHA256(key, "aliyun_v4_request")
	want := hex.EncodeToString(hmacSHA256(key, sts))
	if !hmac.Equal([]byte(strings.ToLower(a.signature)), []byte(want)) {
		return errSignature(sts, a.ak).with("CanonicalRequest", canon)
	}
	if query {
		exp, err := strconv.ParseInt(q.Get("x-oss-expires"), 10, 64)
		if err != nil {
			return bad
		}
		if s.now().After(signTime.Add(time.Duration(exp) * time.Second)) {
			return errExpired
		}
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func v4CanonicalRequest(r *http.Request, rt route, q url.Values, additional []string, query bool) string {
	uri := "/"
	if rt.bucket != "" {
		uri += rt.bucket + "/" + rt.key
	}
	var keys []string
	enc := map[string]string{}
	for k, vs := range q {
		if query && k == "x-oss-signature" {
			continue
		}
		ek := escapeV4(k, false)
		keys = append(keys, ek)
		enc[ek] = escapeV4(vs[0], false)
	}
	sort.Strings(keys)
	var qs strings.Builder
	for i, k := range keys {
		if i > 0 {
			qs.WriteByte('&')
		}
		qs.WriteString(k)
		if v := enc[k]; v != "" {
			qs.WriteString("=" + v)
		}
	}
	if additional == nil {
		additional = []string{}
	}
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
	}
	return r.Method + "\n" + escapeV4(uri, true) + "\n" + qs.String() + "\n" +
		strings.Join(ossHeaders(r, additional), "") + "\n" + strings.Join(additional, ";") + "\n" + payload
}
