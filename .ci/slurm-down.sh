#!/usr/bin/env bash
# Stops the one-node Slurm cluster that .ci/slurm-up.sh DIR started: slurmd, slurmctld, then munged, each by the pid it
# wrote in DIR (never by name), waiting up to 10 s for each to exit. Usage: .ci/slurm-down.sh DIR [--remove]
set -uo pipefail
DIR="${1:?usage: .ci/slurm-down.sh DIR [--remove]}"
for daemon in slurmd slurmctld munged; do
  pidfile="$DIR/$daemon.pid"
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
done
if [ "${2:-}" = "--remove" ]; then rm -rf "$DIR"; fi
exit 0
