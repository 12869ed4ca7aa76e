#!/bin/sh
# Runs the CLARIOstar USB probe inside a umockdev testbed (device description + hand-written
# usbdevfs ioctl script). Exit code 77 (skipped) where umockdev is not installed.
probe="$1"
here="$(dirname "$0")"
if ! command -v umockdev-run >/dev/null 2>&1; then
  echo "umockdev-run not found (Debian package umockdev): skipping"
  exit 77
fi
exec umockdev-run --device "$here/clariostar.umockdev" \
  --ioctl "/dev/bus/usb/001/002=$here/clariostar.ioctl" -- "$probe"
