"""Expected results from Backtesting.py for bt's differential tests.

Run through scripts/backtesting_py_oracle.sh, which installs Backtesting.py
into a throwaway venv; `cargo test` never needs it. Writes, under
tests/fixtures/oracle/:

- bars.csv: 400 daily bars from a seeded random walk whose opens gap away
  from the previous close (so sizing at the fill price matters) and whose
  ranges often reach a bracket's stop and target on one bar;
- <case>.json: for each case below, Backtesting.py's closed trades and
  statistics.

tests/integration/oracle.rs runs the same cases through the real `bt`
binary (Rhai scripts in the same folder) and compares trade by trade and
statistic by statistic.
"""

import json
import pathlib
import sys

import numpy as np
import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover

OUT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/oracle")


def make_bars() -> pd.DataFrame:
    rng = np.random.RandomState(20261203)
    n = 400
    close = np.empty(n)
    opens = np.empty(n)
    price = 100.0
    for i in range(n):
        # The open gaps from the last close by up to about 1 %.
        opens[i] = round(price * (1 + rng.normal(0, 0.006)), 2)
        price = opens[i] * (1 + rng.normal(0.0004, 0.018))
        close[i] = round(price, 2)
    spread_up = np.abs(rng.normal(0, 0.012, n))
    spread_down = np.abs(rng.normal(0, 0.012, n))
    high = np.round(np.maximum(opens, close) * (1 + spread_up), 2)
    low = np.round(np.minimum(opens, close) * (1 - spread_down), 2)
    index = pd.date_range("2021-01-01", periods=n, freq="D", tz=None)
    volume = rng.randint(1_000, 100_000, n)
    return pd.DataFrame(
        {"Open": opens, "High": high, "Low": low, "Close": close, "Volume": volume},
        index=index,
    )


def sma(values, n):
    return pd.Series(values).rolling(n).mean()


class Crossing(Strategy):
    fast = 10
    slow = 30

    def init(self):
        self.sma1 = self.I(sma, self.data.Close, self.fast)
        self.sma2 = self.I(sma, self.data.Close, self.slow)

    def up(self):
        return crossover(self.sma1, self.sma2)

    def down(self):
        return crossover(self.sma2, self.sma1)


class Reverse(Crossing):
    """Close and reverse, all in, on every cross."""

    def next(self):
        if self.up():
            self.position.close()
            self.buy()
        elif self.down():
            self.position.close()
            self.sell()


class LongOnly(Crossing):
    """All in on a cross up, out on a cross down."""

    def next(self):
        if self.up() and not self.position:
            self.buy()
        elif self.down() and self.position:
            self.position.close()


class Bracketed(Crossing):
    """Half in on a cross up with a stop 3 below and a target 5 above the
    close (whole cents, so both sides agree on the prices)."""

    def next(self):
        if self.up() and not self.position and not self.orders:
            close = self.data.Close[-1]
            self.buy(size=0.5, sl=round(close - 3.0, 2), tp=round(close + 5.0, 2))


CASES = {
    # name: (strategy, Backtest keywords)
    "reverse": (Reverse, dict(commission=0.002)),
    "long_only": (LongOnly, dict(commission=0.002)),
    "bracket": (Bracketed, dict(commission=0.001)),
    "leverage": (Reverse, dict(commission=0.0, margin=0.5)),
}

STATS = [
    "Equity Final [$]",
    "Equity Peak [$]",
    "Return [%]",
    "Buy & Hold Return [%]",
    "Max. Drawdown [%]",
    "# Trades",
    "Win Rate [%]",
    "Best Trade [%]",
    "Worst Trade [%]",
    "Avg. Trade [%]",
    "Profit Factor",
    "Expectancy [%]",
    "SQN",
    "Commissions [$]",
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    bars = make_bars()
    csv = bars.rename(columns=str.lower)
    csv.index = csv.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    csv.index.name = "timestamp"
    csv.to_csv(OUT / "bars.csv", float_format="%.2f")
    for name, (strategy, keywords) in CASES.items():
        bt = Backtest(bars, strategy, cash=100_000, **keywords)
        stats = bt.run()
        trades = [
            {
                "size": int(t.Size),
                "entry_bar": int(t.EntryBar),
                "exit_bar": int(t.ExitBar),
                "entry_price": float(t.EntryPrice),
                "exit_price": float(t.ExitPrice),
                "pnl": float(t.PnL),
            }
            for t in stats["_trades"].itertuples()
        ]
        expected = {
            "case": name,
            "backtesting_py": __import__("backtesting").__version__,
            "keywords": keywords,
            "trades": trades,
            "stats": {key: float(stats[key]) for key in STATS if key in stats},
        }
        (OUT / f"{name}.json").write_text(json.dumps(expected, indent=1) + "\n")
        print(f"{name}: {len(trades)} trades, return {stats['Return [%]']:.4f} %")


if __name__ == "__main__":
    main()
