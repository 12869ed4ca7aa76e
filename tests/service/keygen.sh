#!/bin/bash
# `assayctl keygen`: PREFIX.key holds the secret (mode 0600), PREFIX.pub the public key (which
# is also printed), both 40 z85 characters; existing files are never overwritten without
# --force. Usage: keygen.sh ASSAYCTL
set -uo pipefail

assayctl=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/assay-keygen.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }
key_of() { grep -v '^[[:space:]]*#' "$1" | awk 'NF { print $1; exit }'; }

umask 022
printed=$("$assayctl" keygen --out "$work/dashboard" --comment "dashboard-pc" 2>"$work/stderr")
rc=$?
[ $rc -eq 0 ] && pass "keygen exits 0" || fail "keygen exited $rc: $(cat "$work/stderr")"
[ "$(stat -c %a "$work/dashboard.key" 2>/dev/null)" = 600 ] && pass "secret key file has mode 0600" ||
    fail "secret key file mode is $(stat -c %a "$work/dashboard.key" 2>&1)"
[ -f "$work/dashboard.pub" ] && pass "public key file written" || fail "no public key file"
secret=$(key_of "$work/dashboard.key")
public=$(key_of "$work/dashboard.pub")
[ ${#secret} -eq 40 ] && [ ${#public} -eq 40 ] && pass "keys are 40 z85 characters" ||
    fail "key lengths are ${#secret} and ${#public}"
[ "$printed" = "$public" ] && pass "stdout is the public key" || fail "printed '$printed', file has '$public'"
[ "$secret" != "$public" ] && pass "secret and public keys differ" || fail "secret equals public key"
grep -q 'dashboard-pc' "$work/dashboard.pub" && pass "comment written into the public key file" ||
    fail "comment missing from the public key file"

"$assayctl" keygen --out "$work/dashboard" >/dev/null 2>"$work/stderr2"
rc=$?
[ $rc -eq 2 ] && grep -q -- --force "$work/stderr2" && pass "existing key is not overwritten (exit 2, suggests --force)" ||
    fail "second keygen exited $rc: $(cat "$work/stderr2")"
[ "$(key_of "$work/dashboard.key")" = "$secret" ] && pass "secret key unchanged after refusal" ||
    fail "secret key changed although keygen refused"

printed2=$("$assayctl" keygen --out "$work/dashboard" --force 2>/dev/null)
[ -n "$printed2" ] && [ "$printed2" != "$public" ] && [ "$(key_of "$work/dashboard.pub")" = "$printed2" ] &&
    pass "--force replaces the key pair" || fail "--force did not replace the key pair"
[ "$(stat -c %a "$work/dashboard.key")" = 600 ] && pass "replaced secret key keeps mode 0600" ||
    fail "replaced secret key has mode $(stat -c %a "$work/dashboard.key")"

"$assayctl" keygen --out "$work/no/such/dir/key" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && pass "unwritable prefix exits 2" || fail "unwritable prefix exited $rc"

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "keygen checks passed"
