#!/usr/bin/env bash
# A second configure with nothing changed must not change any target's compile flags: if it
# does, every object of those targets is rebuilt (a second scripts/setup.sh took 10 minutes).
# Configures this source tree twice into a scratch build directory and compares every flags.make.
# Usage: configure_twice.sh SOURCE_DIR CMAKE
set -euo pipefail
source_dir=$1
cmake=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
configure() {
  "$cmake" -S "$source_dir" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASSAY_BUILD_BENCH=OFF \
    > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; echo "FAIL: configure failed"; exit 1; }
}
configure
mkdir -p "$work/first"
(cd "$work/build" && find . -name flags.make | tar -cf - -T -) | (cd "$work/first" && tar -xf -)
configure
changed=0
while IFS= read -r file; do
  if ! cmp -s "$work/first/$file" "$work/build/$file"; then
    echo "FAIL: $file changed on the second configure:"
    diff "$work/first/$file" "$work/build/$file" | cut -c1-240
    changed=1
  fi
done < <(cd "$work/build" && find . -name flags.make)
[ "$changed" = 0 ] && echo "ok: $(cd "$work/build" && find . -name flags.make | wc -l) targets keep their flags"
exit "$changed"
