#!/usr/bin/env bash
# One command from a fresh clone: install what is missing, build, start assayd on the embedded
# default (simulated reader and imager, state in ./state) and run a demo job on each simulated
# instrument, printing what happened. The daemon is stopped at the end unless KEEP_RUNNING=1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
state=${STATE_DIR:-$PWD/state}
ctl=(build/bin/assayctl --state-dir "$state")
mkdir -p "$state"
echo "== starting assayd (state in $state, log in $state/assayd.log)"
build/bin/assayd --state-dir "$state" > "$state/assayd.log" 2>&1 &
daemon=$!
trap '[ "${KEEP_RUNNING:-0}" = 1 ] || { kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; }' EXIT
for _ in $(seq 50); do "${ctl[@]}" ping > /dev/null 2>&1 && break; sleep 0.1; done
"${ctl[@]}" ping
"${ctl[@]}" instruments
# One demo per simulated instrument: an IC50 on the reader, colony counts on the imager.
for job in examples/jobs/calcium_flux_96.json examples/jobs/cfu_dish6.json; do
  echo "== submitting $job"
  id=$("${ctl[@]}" submit "$job")
  # watch prints each state change and the result in words, and exits 0 only if the job succeeded.
  "${ctl[@]}" watch "$id" --text
  echo "  (every row: ${ctl[*]} results $id --csv)"
done
echo "== jobs"
"${ctl[@]}" jobs
echo "== the SQLite file: sqlite3 $state/assayd.db 'SELECT state, COUNT(*) FROM jobs GROUP BY state'"
sqlite3 "$state/assayd.db" 'SELECT state, COUNT(*) FROM jobs GROUP BY state'
[ "${KEEP_RUNNING:-0}" = 1 ] && echo "assayd keeps running (pid $daemon)"
exit 0
