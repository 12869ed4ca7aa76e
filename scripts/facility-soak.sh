#!/usr/bin/env bash
# The facility fault test (tests/facility/facility_test.py faults) at a larger scale than CI runs
# it: more hosts, a longer PostgreSQL outage, the hosts cut off from NATS for minutes while they
# run job after job, several rounds. Each round starts fresh services and ends with every host's
# SQLite compared row for row with PostgreSQL.
#   scripts/facility-soak.sh [ROUNDS=3] [HOSTS=6] [PG_DOWN_S=30] [OFFLINE_S=180]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
hosts=${2:-6}
pg_down=${3:-30}
offline=${4:-180}
for round in $(seq "$rounds"); do
  echo "== round $round of $rounds: $hosts hosts, cut off from NATS ${offline} s, PostgreSQL down ${pg_down} s"
  /usr/bin/python3 tests/facility/facility_test.py build/bin . faults --hosts "$hosts" --pg-down-s "$pg_down" \
    --offline-s "$offline"
done
