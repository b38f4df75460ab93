#!/usr/bin/env bash
# Walk-forward of the reference sweep W4 (../shared/reference/WORKLOADS.md:
# W2's EMA cross, fast 5..50 x slow 20..200 with fast < slow, 90 points)
# over 1,000,000 one-minute bars in 12 rolling windows (250,000 bars in
# sample, the next 62,500 out of sample), against `bt optimize` of the
# same 90 points over one in-sample window: the walk-forward should run
# its in-sample runs as fast as the sweep runs its own (runs/s), and the
# rest (12 out-of-sample runs, stitching, outputs) should cost little.
#
# Usage, from the project root: scripts/bench_walk_forward.sh [BARS_1M]
# BARS_1M: the 1M-bar file of ../shared/reference/gen_bars.py (CSV or
# Parquet); without it, 1M seeded bars are made with `bt wrangle synth`.
# Prints each command's own timing line and /usr/bin/time's wall time and
# peak memory, best of three runs each.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bt/target}"
cargo build --release --quiet
bt="$CARGO_TARGET_DIR/release/bt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="${1:-}"
if [ -z "$data" ]; then
    data="$work/bars_1m.parquet"
    "$bt" wrangle synth "$data" --bars 1000000 --seed 42 >/dev/null
fi
data=$(realpath "$data")

config() { # $1: extra [backtest] lines, $2: trailing tables
    cat <<TOML
[backtest]
name = "w4_walk_forward"
out_dir = "$work/out"
$1
[[venues]]
name = "SIM"
base_currency = "USD"
starting_balances = ["100000 USD"]
fee_model = { kind = "percentage", maker = 0.001, taker = 0.001 }

[[instruments]]
id = "SYNTH.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0

[[data]]
instrument = "SYNTH.SIM"
path = "$data"

[[strategies]]
id = "EMA"
builtin = "ema_cross"
instrument = "SYNTH.SIM"
params = { fast = 10, slow = 30 }

[optimize]
maximize = "Equity Final [$]"
constraint = "fast < slow"

[optimize.params]
"strategies.EMA.params.fast" = { from = 5, to = 50, step = 5 }
"strategies.EMA.params.slow" = { from = 20, to = 200, step = 20 }
$2
TOML
}

config "" $'\n[walk_forward]\nin_sample_bars = 250000\nout_of_sample_bars = 62500\nwarmup = "auto"' >"$work/wf.toml"
# The first in-sample window: bars 0..250,000, one minute apart from
# the first bar's time.
first=$("$bt" walk-forward "$work/wf.toml" --out "$work/probe" --quiet --format json >/dev/null &&
    python3 -c 'import csv,sys; r=next(csv.DictReader(open(sys.argv[1]))); print(r["in_sample_start"], r["in_sample_end"])' "$work/probe/walk_forward.csv")
read -r start end <<<"$first"
config "start = \"$start\"
end = \"$end\"
close_at_end = true" "" >"$work/is.toml"

best() { # runs "$@" three times; prints the fastest run's lines
    local best_line="" best_wall=999999
    for _ in 1 2 3; do
        /usr/bin/time -f "wall %e s, peak %M kB" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
        wall=$(sed -n 's/^wall \([0-9.]*\) s.*/\1/p' "$work/err")
        if python3 -c "import sys; sys.exit(0 if $wall < $best_wall else 1)"; then
            best_wall=$wall
            best_line=$(grep -E "runs/s|^wall" "$work/err" | tr '\n' ' ')
        fi
    done
    echo "$best_line"
}

echo "optimize, W4 over the first in-sample window (250,000 bars, 90 runs):"
echo "  $(best "$bt" optimize "$work/is.toml" --out "$work/opt")"
echo "walk-forward, W4 in 12 windows (12 x 90 in-sample runs of 250,000 bars, 12 out of sample):"
echo "  $(best "$bt" walk-forward "$work/wf.toml" --out "$work/wf")"
