#!/usr/bin/env python3
"""The reference sweep W4 in vectorbt, timed, to set beside `bt optimize`.

W2's EMA cross (EMA fast/slow of close, pandas ewm(adjust=False); a cross
up buys all-in in whole units at the next open with 0.1 % fees, a cross
down sells) over fast in 5..50 step 5 x slow in 20..200 step 20 with
fast < slow: 90 runs on the 100,000-bar reference file. vectorbt runs all
90 as columns of one simulation (its fastest way); the time excludes
loading the file and includes computing the EMAs and signals.

Run it from a throwaway venv, never as a dependency of cargo test:
    python3 -m venv /tmp/vbt && /tmp/vbt/bin/pip install vectorbt pyarrow
    /tmp/vbt/bin/python scripts/peer_w4_vectorbt.py [tests/fixtures/bars_100k.parquet] [repeats]
Prints one line per repeat: runs/s.
"""
import sys
import time

import numpy as np
import pandas as pd
import vectorbt as vbt


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/bars_100k.parquet"
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    bars = pd.read_parquet(path)
    close = bars["close"].astype(float).reset_index(drop=True)
    next_open = bars["open"].astype(float).shift(-1).reset_index(drop=True)
    pairs = [(f, s) for f in range(5, 55, 5) for s in range(20, 220, 20) if f < s]
    assert len(pairs) == 90
    for _ in range(repeats):
        started = time.perf_counter()
        entries, exits = {}, {}
        emas = {n: close.ewm(span=n, adjust=False).mean() for n in {p for pair in pairs for p in pair}}
        for fast, slow in pairs:
            f, s = emas[fast], emas[slow]
            up = (f.shift(1) <= s.shift(1)) & (f > s)
            down = (f.shift(1) >= s.shift(1)) & (f < s)
            warm = pd.Series(np.arange(len(close)) >= slow)
            entries[(fast, slow)] = up & warm
            exits[(fast, slow)] = down & warm
        entries = pd.DataFrame(entries)
        exits = pd.DataFrame(exits)
        signals_done = time.perf_counter()
        portfolio = vbt.Portfolio.from_signals(
            close,
            entries,
            exits,
            price=next_open,
            size=np.inf,
            size_granularity=1,
            fees=0.001,
            init_cash=100_000,
            freq="1min",
        )
        final = portfolio.final_value()
        elapsed = time.perf_counter() - started
        simulation = time.perf_counter() - signals_done
        print(f"vectorbt W4: {len(pairs)} runs in {elapsed:.3f} s = {len(pairs) / elapsed:.1f} runs/s; "
              f"the simulation alone (signals made) {simulation:.3f} s = {len(pairs) / simulation:.1f} runs/s "
              f"(best final value {final.max():.2f})")


if __name__ == "__main__":
    main()
