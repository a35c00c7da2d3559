#!/usr/bin/env bash
# Authenticode-signs a Windows executable with osslsigncode, then verifies
# the signature and fails unless osslsigncode reports it valid.
#
# usage: packaging/windows/sign.sh IN.exe OUT.exe
#
# With OSSVAULT_SIGN_PKCS12 set, signs with that certificate:
#   OSSVAULT_SIGN_PKCS12         path to a .p12/.pfx file, or its contents in base64
#   OSSVAULT_SIGN_PASSWORD       the PKCS#12 password (may be empty)
#   OSSVAULT_SIGN_TIMESTAMP_URL  RFC 3161 time-stamp server, so the signature
#                                outlives the certificate (optional; needs network)
#   OSSVAULT_SIGN_CAFILE         PEM trust anchors for the check (optional;
#                                default: the system's CA bundle)
# Without it, signs with a throw-away CA and code-signing certificate made
# here and now, and checks the signature against that CA. Such an exe shows
# "unknown publisher" on Windows: it proves the signing step works, nothing
# more. OSSVAULT_SIGN_EXPORT_CA=FILE saves that CA's certificate (public; its
# key is destroyed) so a later check can verify the exe again.
#
# The password travels to osslsigncode in a private file, never on a command
# line (where other users could read it in the process list) nor in output.
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/../lib.sh"

[ $# -eq 2 ] || die "usage: $0 IN.exe OUT.exe"
in=$1
out=$2
[ -f "$in" ] || die "$in does not exist"

need osslsigncode:osslsigncode openssl:openssl

secrets=$(mktemp -d)
chmod 700 "$secrets"
trap 'rm -rf "$secrets"' EXIT
umask 077

verify_args=(-ignore-cdp)
if [ -n "${OSSVAULT_SIGN_PKCS12:-}" ]; then
	if [ -f "$OSSVAULT_SIGN_PKCS12" ]; then
		p12=$OSSVAULT_SIGN_PKCS12
	else
		p12=$secrets/sign.p12
		base64 -d <<<"$OSSVAULT_SIGN_PKCS12" >"$p12" 2>/dev/null ||
			die "OSSVAULT_SIGN_PKCS12 is neither an existing file nor valid base64"
	fi
	printf '%s' "${OSSVAULT_SIGN_PASSWORD:-}" >"$secrets/pass"
	if [ -n "${OSSVAULT_SIGN_CAFILE:-}" ]; then
		verify_args+=(-CAfile "$OSSVAULT_SIGN_CAFILE")
	fi
	what="the certificate in OSSVAULT_SIGN_PKCS12"
else
	# A two-level chain like a real one: a CA that may only sign
	# certificates, and a leaf that may only sign code.
	openssl req -x509 -newkey rsa:3072 -nodes -days 2 -sha256 \
		-subj "/CN=ossvault throw-away code-signing CA" \
		-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$secrets/ca.key" -out "$secrets/ca.pem" 2>/dev/null ||
		die "failed to make the throw-away CA"
	openssl req -newkey rsa:3072 -nodes -sha256 -subj "/CN=ossvault test build" \
		-keyout "$secrets/leaf.key" -out "$secrets/leaf.csr" 2>/dev/null ||
		die "failed to make the throw-away signing key"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=critical,codeSigning" >"$secrets/leaf.ext"
	openssl x509 -req -in "$secrets/leaf.csr" -CA "$secrets/ca.pem" -CAkey "$secrets/ca.key" \
		-CAcreateserial -days 2 -sha256 -extfile "$secrets/leaf.ext" -out "$secrets/leaf.pem" 2>/dev/null ||
		die "failed to make the throw-away signing certificate"
	openssl rand -hex 16 >"$secrets/pass"
	p12=$secrets/sign.p12
	openssl pkcs12 -export -inkey "$secrets/leaf.key" -in "$secrets/leaf.pem" -certfile "$secrets/ca.pem" \
		-passout "file:$secrets/pass" -out "$p12" 2>/dev/null ||
		die "failed to pack the throw-away certificate as PKCS#12"
	leaf_hash=$(openssl x509 -in "$secrets/leaf.pem" -outform DER | sha256sum | cut -d' ' -f1)
	# Valid only if signed by exactly this leaf, chaining to exactly this CA.
	verify_args+=(-CAfile "$secrets/ca.pem" -require-leaf-hash "sha256:$leaf_hash")
	what="a throw-away certificate"
	if [ -n "${OSSVAULT_SIGN_EXPORT_CA:-}" ]; then
		(umask 022 && cp "$secrets/ca.pem" "$OSSVAULT_SIGN_EXPORT_CA")
	fi
fi

sign_args=(-pkcs12 "$p12" -readpass "$secrets/pass" -h sha256
	-n ossvault -i https://github.com/ossvault/ossvault)
if [ -n "${OSSVAULT_SIGN_TIMESTAMP_URL:-}" ]; then
	sign_args+=(-ts "$OSSVAULT_SIGN_TIMESTAMP_URL")
fi

rm -f "$out"
if ! osslsigncode sign "${sign_args[@]}" -in "$in" -out "$out" >"$secrets/sign.log" 2>&1; then
	cat "$secrets/sign.log" >&2
	die "osslsigncode failed to sign $in with $what"
fi

if ! osslsigncode verify "${verify_args[@]}" -in "$out" >"$secrets/verify.log" 2>&1 ||
	! grep -q '^Signature verification: ok' "$secrets/verify.log"; then
	cat "$secrets/verify.log" >&2
	rm -f "$out"
	die "the signature on $out did not verify"
fi
echo "signed $out with $what; osslsigncode verify: $(grep -c '^Signature verification: ok' "$secrets/verify.log") signature(s) ok" >&2
