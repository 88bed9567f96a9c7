#!/usr/bin/env bash
# Starts a throwaway one-node Slurm cluster on this machine, for the end-to-end test of `deno task submit`
# (tests/submit_slurm_test.ts) and for trying the Slurm path by hand. Needs root and Debian's packages:
#   apt-get install -y slurmctld slurmd slurm-client munge
#
# Usage: .ci/slurm-up.sh [DIR]      (DIR defaults to a new temporary folder)
#   Writes DIR/slurm.conf (this host, 2 CPUs, one partition `ci`), DIR/munge.key, state, spool and logs, starts
#   munged, slurmctld and slurmd in that order (each writes DIR/<daemon>.pid), waits until the node is idle, and prints
#   the one line to evaluate so that sbatch/squeue find the cluster:
#     eval "$(.ci/slurm-up.sh /tmp/slurm)"   # → export SLURM_CONF=/tmp/slurm/slurm.conf
#   Stop it with .ci/slurm-down.sh DIR (kills the three daemons by their pids). Nothing outside DIR is written.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then echo "slurm-up: needs root (the daemons run as root)" >&2; exit 2; fi
for bin in munged slurmctld slurmd sbatch sinfo; do
  command -v "$bin" >/dev/null || { echo "slurm-up: $bin is missing: apt-get install -y slurmctld slurmd slurm-client munge" >&2; exit 2; }
done
DIR="${1:-$(mktemp -d /tmp/ppad-slurm.XXXXXX)}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
chmod 700 "$DIR"
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
chmod 700 "$DIR/munge"
HOST="$(hostname -s)"

# munge: a fresh key, the socket inside DIR (AuthInfo below points Slurm at it).
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$DIR/munge/munge.key"
munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.sock" \
  --pid-file="$DIR/munged.pid" --log-file="$DIR/munged.log" --seed-file="$DIR/munge/munged.seed"

cat >"$DIR/slurm.conf" <<CONF
# One-node Slurm for tests (written by .ci/slurm-up.sh). Everything lives in $DIR.
ClusterName=ppadci
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.sock
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
NodeName=$HOST CPUs=2 State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$DIR/slurm.conf"

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# Wait (at most 30 s) for the node to register as idle.
for _ in $(seq 1 60); do
  state="$(sinfo -h -n "$HOST" -o %t 2>/dev/null || true)"
  if [ "$state" = "idle" ]; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
echo "slurm-up: the node did not become idle within 30 s (state: ${state:-none}); logs in $DIR" >&2
tail -n 20 "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 || true
exit 1
