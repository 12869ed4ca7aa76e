#!/bin/sh
# Runs the CLARIOstar USB probe inside a umockdev testbed (device description + hand-written
# usbdevfs ioctl script). Exit code 77 (skipped) where umockdev is not installed.
probe="$1"
here="$(dirname "$0")"
if ! command -v umockdev-run >/dev/null 2>&1; then
  echo "umockdev-run not found (Debian package umockdev): skipping"
  exit 77
fi
# A sanitizer runtime opens its log_path file at start, before umockdev's preloaded open() is
# ready, and the probe crashes: here reports go to stderr instead (and fail the test by its exit).
for var in ASAN_OPTIONS UBSAN_OPTIONS; do
  eval "value=\${$var:-}"
  [ -n "$value" ] && export "$var=$(printf '%s' "$value" | sed 's/log_path=[^ :]*//g')"
done
exec umockdev-run --device "$here/clariostar.umockdev" \
  --ioctl "/dev/bus/usb/001/002=$here/clariostar.ioctl" -- "$probe"
