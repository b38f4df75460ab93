#!/usr/bin/env bash
# A sharded sweep on a real Slurm scheduler, checked against one machine.
#
#   scripts/slurm_sweep.sh BT [CONFIG [WALK_FORWARD_CONFIG]]
#
# Installs Slurm from Debian's packages when it is missing (root only),
# starts a one-node cluster in a scratch directory (its own slurm.conf via
# SLURM_CONF: nothing under /etc/slurm is touched), submits
#   sbatch --array=0-3 --cpus-per-task=1 --wrap 'bt optimize --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT ...'
# waits for the array, merges the parts, and compares every merged file
# byte for byte with the same sweep run on one machine; then the same for
#   bt walk-forward --shard … and bt walk-forward merge. It stops exactly
# the daemons it started. Facts behind each step: ../shared/research/SLURM.md.
set -euo pipefail

BT=$(realpath "${1:?usage: scripts/slurm_sweep.sh BT [CONFIG [WALK_FORWARD_CONFIG]]}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=$(realpath "${2:-$ROOT/configs/optimize_ema.toml}")
WF_CONFIG=$(realpath "${3:-$ROOT/configs/walk_forward.toml}")
SHARDS=4

if ! command -v slurmctld >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "slurm_sweep: Slurm is not installed and cannot be (needs root and apt-get)" >&2
        exit 1
    fi
    echo "slurm_sweep: installing Slurm from Debian's packages"
    (timeout 300 apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge \
        || (timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends \
            slurmctld slurmd slurm-client munge)) >/dev/null
fi

WORK=$(mktemp -d /tmp/bt-slurm.XXXXXX)
STARTED=()
stop_daemons() {
    for pid in "${STARTED[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
    rm -rf "$WORK"
}
trap stop_daemons EXIT

# munge authenticates the daemons to each other; reuse a running one.
if [ ! -f /etc/munge/munge.key ]; then
    mungekey -c -k /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 600 /etc/munge/munge.key
fi
if ! pgrep -x munged >/dev/null 2>&1; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
    STARTED+=("$(cat /run/munge/munged.pid)")
fi

mkdir -p "$WORK/state" "$WORK/spool" "$WORK/parts"
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=bt
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$((20000 + RANDOM % 20000))
SlurmdPort=$((40000 + RANDOM % 20000))
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$WORK/jobcomp.txt
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,kill_invalid_depend
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

# Foreground mode with &, so $! is the daemon's own pid.
slurmctld -D -f "$SLURM_CONF" >"$WORK/slurmctld.out" 2>&1 &
STARTED+=("$!")
slurmd -D -N localhost -f "$SLURM_CONF" >"$WORK/slurmd.out" 2>&1 &
STARTED+=("$!")

for _ in $(seq 100); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
done
if [ "$state" != idle ]; then
    echo "slurm_sweep: the node did not come up (state '$state')" >&2
    tail -5 "$WORK/slurmctld.log" "$WORK/slurmd.log" >&2 || true
    exit 1
fi

# The two lines a cluster user types (README: Scale-out on Slurm).
cd "$WORK"
# Runs COMMAND (optimize or walk-forward) of CONFIG as a Slurm job array
# of $SHARDS shards, merges the parts, and compares every merged file with
# the same command run on one machine.
sharded() {
    local command=$1 config=$2
    local parts="$WORK/$command-parts" one="$WORK/$command-one" merged="$WORK/$command-merged"
    mkdir -p "$parts"
    job=$(sbatch --parsable --array=0-$((SHARDS - 1)) --cpus-per-task=1 --output="$WORK/$command-shard-%a.log" \
        --wrap "\"$BT\" $command \"$config\" --shard \$SLURM_ARRAY_TASK_ID/\$SLURM_ARRAY_TASK_COUNT --jobs \${SLURM_CPUS_PER_TASK:-1} --out \"$parts\" --quiet")
    echo "slurm_sweep: submitted job array $job ($SHARDS shards of bt $command)"
    for _ in $(seq 600); do
        [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
        sleep 0.2
    done
    if [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; then
        echo "slurm_sweep: the array did not finish in 120 s" >&2
        exit 1
    fi
    for _ in $(seq 50); do
        [ "$(grep -c "ArrayJobId=$job " "$WORK/jobcomp.txt" 2>/dev/null || true)" -ge "$SHARDS" ] && break
        sleep 0.1
    done
    if grep "ArrayJobId=$job " "$WORK/jobcomp.txt" | grep -qv "JobState=COMPLETED"; then
        echo "slurm_sweep: a shard failed:" >&2
        cat "$WORK/jobcomp.txt" "$WORK"/"$command"-shard-*.log >&2
        exit 1
    fi
    "$BT" "$command" merge "$parts" --out "$merged" --quiet
    "$BT" "$command" "$config" --out "$one" --quiet
    if ! diff -r "$one" "$merged" >/dev/null; then
        echo "slurm_sweep: the merged output of bt $command differs from the one-machine run:" >&2
        diff -rq "$one" "$merged" >&2 || true
        exit 1
    fi
    echo "slurm_sweep: $SHARDS Slurm shards of bt $command merged byte-identical to the one-machine run ($(ls "$one" | tr '\n' ' '))"
}

sharded optimize "$CONFIG"
sharded walk-forward "$WF_CONFIG"
