#!/bin/bash
# Builds the assayd Debian package from this build tree with cpack, unpacks it into a scratch
# root and checks it there as an admin's machine would see it:
#   - the package metadata: name, runtime library dependencies, conffiles, maintainer scripts;
#   - every service file at its place, the packaged binaries run;
#   - `systemd-analyze verify --root` passes with no warning on the installed unit;
#   - `systemd-analyze security --offline` exposure is at most ASSAY_MAX_EXPOSURE (default 1.5);
#   - systemd-sysusers and systemd-tmpfiles, run with --root, create the users, groups and
#     directories the unit expects.
# Usage: package_root.sh BUILD_DIR CPACK. Exit 77 (skip) when a Debian tool is missing.
set -euo pipefail

build_dir=$1
cpack=$2
max_exposure=${ASSAY_MAX_EXPOSURE:-1.5}

for tool in dpkg-deb dpkg-shlibdeps systemd-analyze systemd-sysusers systemd-tmpfiles; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (Debian packages dpkg-dev and systemd)"
        exit 77
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/assay-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

# 1. Package, from the existing build tree (cpack runs the install rules; it does not build).
start=$(date +%s)
if ! "$cpack" --config "$build_dir/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    echo "FAIL: cpack could not build the package (is the build tree built?)"
    exit 1
fi
debs=("$work"/out/assayd_*.deb)
[ -f "${debs[0]}" ] || { cat "$work/cpack.log"; echo "FAIL: cpack made no assayd_*.deb"; exit 1; }
deb=${debs[0]}
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB, built in $(($(date +%s) - start)) s"

# 2. Metadata.
dpkg-deb -e "$deb" "$work/control"
control=$work/control/control
field() { sed -n "s/^$1: //p" "$control"; }
[ "$(field Package)" = assayd ] && pass "package name assayd" || fail "package name is '$(field Package)'"
depends=$(field Depends)
echo "Depends: $depends"
for lib in libzmq5 libsqlite3-0 libsystemd0 libusb-1.0-0 'libopencv-core[0-9]' systemd; do
    if grep -Eq "(^|, )$lib" <<<"$depends"; then pass "depends on $lib"; else fail "Depends lacks $lib"; fi
done
if grep -qx /etc/assayd/assayd.toml "$work/control/conffiles" 2>/dev/null; then
    pass "/etc/assayd/assayd.toml is a conffile"
else
    fail "conffiles does not list /etc/assayd/assayd.toml"
fi
for script in postinst prerm postrm; do
    if [ -x "$work/control/$script" ] && sh -n "$work/control/$script"; then
        pass "$script present, executable, valid sh"
    else
        fail "$script missing, not executable or not valid sh"
    fi
done
grep -q 'systemd-sysusers' "$work/control/postinst" && grep -q 'systemd-tmpfiles' "$work/control/postinst" &&
    grep -q 'udevadm trigger' "$work/control/postinst" && grep -q 'daemon-reload' "$work/control/postinst" &&
    pass "postinst applies sysusers, tmpfiles, udev rules and reloads systemd" ||
    fail "postinst misses one of sysusers/tmpfiles/udevadm trigger/daemon-reload"

# 3. Files in the scratch root.
root=$work/root
dpkg-deb -x "$deb" "$root"
unit=$root/usr/lib/systemd/system/assayd.service
for file in usr/bin/assayd usr/bin/assayctl usr/bin/assayctl-full usr/lib/systemd/system/assayd.service \
    usr/bin/assay-facility usr/lib/systemd/system/assay-facility.service \
    usr/lib/sysusers.d/assayd.conf usr/lib/tmpfiles.d/assayd.conf \
    usr/lib/udev/rules.d/60-assayd-instruments.rules usr/lib/sysctl.d/60-assayd-gige.conf \
    etc/assayd/assayd.toml; do
    [ -f "$root/$file" ] && pass "/$file installed" || fail "/$file missing from the package"
done
# assayctl runs `fit` itself and hands the other commands to assayctl-full beside it.
if "$root/usr/bin/assayctl" --help 2>&1 | grep -q keygen; then
    pass "packaged assayctl hands its other commands to assayctl-full"
else
    fail "packaged assayctl --help does not list keygen: $("$root/usr/bin/assayctl" --help 2>&1 | head -3)"
fi
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
binary=${exec_start%% *}
[ -x "$root$binary" ] && pass "ExecStart binary $binary is in the package" ||
    fail "ExecStart names $binary, which the package does not install"
grep -q -- "--config /etc/assayd/assayd.toml --state-dir /var/lib/assayd --runtime-dir /run/assayd" <<<"$exec_start" &&
    pass "ExecStart passes config, state and runtime directories" || fail "ExecStart is '$exec_start'"
if "$root/usr/bin/assayd" --help >"$work/help.txt" 2>&1 && grep -q -- --runtime-dir "$work/help.txt"; then
    pass "packaged assayd runs (--help lists --runtime-dir)"
else
    fail "packaged assayd --help failed: $(head -3 "$work/help.txt")"
fi

if "$root/usr/bin/assayd" --config "$root/etc/assayd/assayd.toml" --state-dir "$work/state" \
    --runtime-dir "$work/run" --check-config >"$work/check.txt" 2>&1; then
    pass "packaged assayd accepts the packaged /etc/assayd/assayd.toml"
else
    fail "packaged config refused: $(cat "$work/check.txt")"
fi

# 4. systemd-analyze verify on the installed unit. The root gets what the unit refers to
# outside the package: the host's units (sysinit.target, network.target, ...) and /bin/kill.
ln -s usr/bin "$root/bin"
if [ -x /bin/kill ]; then
    cp /bin/kill "$root/usr/bin/kill"
else
    printf '#!/bin/sh\nexec kill "$@"\n' >"$root/usr/bin/kill" && chmod 755 "$root/usr/bin/kill"
fi
cp -an /lib/systemd/system/. "$root/usr/lib/systemd/system/"
if verify_out=$(systemd-analyze verify --root="$root" assayd.service 2>&1) && [ -z "$verify_out" ]; then
    pass "systemd-analyze verify --root: no errors, no warnings"
else
    echo "$verify_out"
    fail "systemd-analyze verify reported problems with the installed unit"
fi

# The facility store's unit (installed, not enabled): it verifies and names the packaged program.
facility_start=$(sed -n 's/^ExecStart=//p' "$root/usr/lib/systemd/system/assay-facility.service")
[ -x "$root${facility_start%% *}" ] && pass "assay-facility.service starts the packaged ${facility_start%% *}" ||
    fail "assay-facility.service ExecStart names ${facility_start%% *}, which the package does not install"
if verify_out=$(systemd-analyze verify --root="$root" assay-facility.service 2>&1) && [ -z "$verify_out" ]; then
    pass "systemd-analyze verify --root assay-facility.service: no errors, no warnings"
else
    echo "$verify_out"
    fail "systemd-analyze verify reported problems with assay-facility.service"
fi
systemd-analyze security --offline=true --root="$root" --no-pager assay-facility.service >"$work/security-facility.txt" 2>&1 || true
facility_score=$(sed -n 's/.*Overall exposure level for assay-facility.service: \([0-9.]*\).*/\1/p' "$work/security-facility.txt")
if [ -n "$facility_score" ] && awk -v s="$facility_score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
    pass "assay-facility.service security exposure $facility_score (limit $max_exposure)"
else
    cat "$work/security-facility.txt"
    fail "assay-facility.service exposure '$facility_score' is above $max_exposure or missing"
fi

# 5. Security exposure (systemd 252: --offline reads the unit file, --root finds it).
systemd-analyze security --offline=true --root="$root" --no-pager assayd.service >"$work/security.txt" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for assayd.service: \([0-9.]*\).*/\1/p' "$work/security.txt")
if [ -z "$score" ]; then
    cat "$work/security.txt"
    fail "systemd-analyze security printed no exposure score"
elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
    pass "systemd-analyze security exposure $score (limit $max_exposure)"
else
    grep '✗' "$work/security.txt" || true
    fail "exposure $score is above $max_exposure"
fi

# 6. Users, groups and directories, applied inside the root as postinst does on a machine.
mkdir -p "$root/etc"
touch "$root/etc/passwd" "$root/etc/group" "$root/etc/shadow" "$root/etc/gshadow"
if systemd-sysusers --root="$root" >"$work/sysusers.log" 2>&1; then
    grep -q '^assayd:' "$root/etc/passwd" && pass "sysusers created user assayd" || fail "no assayd user in /etc/passwd"
    for group in assayd-instruments assayd-clients; do
        if grep -Eq "^$group:[^:]*:[0-9]+:(.*,)?assayd(,|$)" "$root/etc/group"; then
            pass "group $group exists with member assayd"
        else
            fail "group $group missing or without assayd: $(grep "^$group:" "$root/etc/group")"
        fi
    done
else
    cat "$work/sysusers.log"
    fail "systemd-sysusers --root failed"
fi
if systemd-tmpfiles --root="$root" --create assayd.conf >"$work/tmpfiles.log" 2>&1; then
    mode=$(stat -c %a "$root/var/lib/assayd" 2>/dev/null || echo none)
    [ "$mode" = 700 ] && pass "tmpfiles created /var/lib/assayd with mode 0700" ||
        fail "/var/lib/assayd mode is $mode, expected 700"
    mode=$(stat -c %a "$root/etc/assayd/curve" 2>/dev/null || echo none)
    [ "$mode" = 700 ] && pass "tmpfiles created /etc/assayd/curve with mode 0700" ||
        fail "/etc/assayd/curve mode is $mode, expected 700"
else
    cat "$work/tmpfiles.log"
    fail "systemd-tmpfiles --root --create failed"
fi
# The unit's user and groups are the ones sysusers creates.
for name in "User=assayd" "Group=assayd-clients" "SupplementaryGroups=assayd-instruments"; do
    grep -qx "$name" "$unit" && pass "unit has $name" || fail "unit lacks $name"
done

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all package checks passed"
