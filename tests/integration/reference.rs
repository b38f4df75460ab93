//! The reference workloads of ../shared/reference/WORKLOADS.md, which
//! Backtesting.py, Backtrader and vectorbt agree on.

use crate::util::{reference_files, run_single};

#[test]
fn w2_ema_cross_matches_the_peers_exactly() {
    for data in reference_files() {
        let (dir, json) = run_single(&data, "ema_cross", "fast = 10, slow = 30", "0.001");
        let stats = &json["stats"];
        assert_eq!(stats["# Trades"], 1811, "{}", data.display());
        // Backtesting.py: 2460.7126499999367 in floats; exact decimal here.
        assert_eq!(
            stats["Equity Final [$]"],
            "2460.712650000",
            "{}",
            data.display()
        );
        assert_eq!(stats["Equity Peak [$]"], "100312.995740000");
        assert_eq!(stats["Commissions [$]"], "102609.477350000");
        let close = |key: &str, expected: f64| {
            let got = stats[key].as_f64().unwrap();
            assert!(
                ((got - expected) / expected).abs() < 1e-9,
                "{key}: {got} vs {expected}"
            );
        };
        // Backtesting.py 0.6.6 on the same data (../shared/reference/STATS.md).
        close("Return [%]", -97.539_287_350_000_05);
        close("Max. Drawdown [%]", -97.554_525_102_252_78);
        close("Win Rate [%]", 18.718_939_812_258_42);
        close("Buy & Hold Return [%]", -34.789_563_131_060_68);
        close("Exposure Time [%]", 50.493);
        close("Best Trade [%]", 4.754_736_842_105_276_5);
        close("Worst Trade [%]", -0.823_027_104_821_299_7);
        close("Avg. Trade [%]", -0.205_432_542_475_780_8);
        close("Profit Factor", 0.381_094_913_002_166_3);
        close("Expectancy [%]", -0.203_975_159_457_520_93);
        close("SQN", -10.081_692_467_983_451);
        close("Kelly Criterion", -0.254_564_347_228_691_9);
        // "Skip if < 1": the strategy never sends an order the balance cannot buy.
        let orders = std::fs::read_to_string(dir.path().join("out/orders.csv")).unwrap();
        assert_eq!(
            orders.lines().filter(|l| l.contains(",FILLED,")).count(),
            2 * 1811
        );
        assert!(!orders.contains("DENIED"));
    }
}

#[test]
fn w1_buy_and_hold_matches_the_peers_exactly() {
    for data in reference_files() {
        let (_dir, json) = run_single(&data, "buy_and_hold", "", "0");
        assert_eq!(
            json["stats"]["Equity Final [$]"],
            "65234.800000000",
            "{}",
            data.display()
        );
        assert_eq!(json["stats"]["# Trades"], 0);
        assert_eq!(json["open_trades"][0]["size"], "999");
    }
}
