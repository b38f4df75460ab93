#!/usr/bin/env bash
# Instructions per bar of the engine benches, counted by valgrind's
# callgrind over `BacktestEngine::run` only (bar generation and set-up are
# left out). Unlike bars per second on a shared machine, which moved by a
# third between hosts and by 30 % within an hour on one, the count is the
# same on every run, so it is the figure to compare before and after a
# change.
#
# Usage, from the project root: scripts/instructions_per_bar.sh [FILTER...]
# Each FILTER must select one bench of benches/engine_throughput.rs by
# name (default: w1_buy, w2_ema_cross_1m, w3_order). Needs valgrind (Debian: apt-get
# install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind is not installed (Debian: apt-get install valgrind)" >&2
    exit 1
fi
filters=("$@")
if [ ${#filters[@]} -eq 0 ]; then
    filters=(w1_buy w2_ema_cross_1m w3_order)
fi

bench=$(cargo bench --bench engine_throughput --no-run --message-format=json |
    python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message.get("executable") \
            and message["target"]["name"] == "engine_throughput":
        print(message["executable"])
')
if [ -z "$bench" ]; then
    echo "the engine_throughput bench did not build" >&2
    exit 1
fi
# The benches' BARS.
bars=1000000
profile=$(mktemp)
trap 'rm -f "$profile"' EXIT
for filter in "${filters[@]}"; do
    # --test runs each selected bench once.
    valgrind --tool=callgrind --callgrind-out-file="$profile" \
        --toggle-collect='bt::backtest::engine::BacktestEngine::run*' \
        "$bench" --test "$filter" >/dev/null 2>&1
    callgrind_annotate --auto=no "$profile" 2>/dev/null |
        awk -v name="$filter" -v bars="$bars" '/PROGRAM TOTALS/ && !seen {
            gsub(",", "", $1)
            printf "%-24s %8.1f instructions per bar\n", name, $1 / bars
            seen = 1
        }'
done
