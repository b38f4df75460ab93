//! The one place a Rhai engine is made: the packages a strategy needs and
//! nothing else, with every resource limit set.

use std::sync::Arc;

use rhai::Engine;
use rhai::packages::{Package, StandardPackage};

/// Resource limits of one script, per hook call. The defaults suit
/// strategies; a config may raise or lower each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Operations (statements, expressions, calls) one hook call may take:
    /// an endless loop stops here.
    pub max_operations: u64,
    /// Nested function calls (recursion depth).
    pub max_call_levels: usize,
    /// Nesting of expressions, in the script body and in functions.
    pub max_expr_depth: usize,
    /// Bytes in one string.
    pub max_string_size: usize,
    /// Elements in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
    /// Bytes the buffers of the script's indicators may take once full
    /// (their periods decide it), over the whole run: the one part of a
    /// script's memory the size limits above do not bound.
    pub max_indicator_bytes: usize,
    /// Orders the script may submit over the whole run: each is kept for
    /// the reports (about 450 bytes), so an order loop cannot take the
    /// host's memory.
    pub max_orders: u64,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        Self {
            max_operations: 1_000_000,
            max_call_levels: 64,
            max_expr_depth: 64,
            max_string_size: 1 << 20,
            max_array_size: 100_000,
            max_map_size: 10_000,
            max_indicator_bytes: 64 << 20,
            max_orders: 10_000_000,
        }
    }
}

impl ScriptLimits {
    /// The largest value a config may give each limit. Rhai reads 0 as
    /// "unlimited", and limits far above these overflow the stack (call
    /// levels, expression depth) or let one script take the machine's
    /// memory (strings, arrays, maps), so neither comes from a config.
    pub const CEILINGS: Self = Self {
        max_operations: 1_000_000_000,
        max_call_levels: 128,
        max_expr_depth: 128,
        max_string_size: 16 << 20,
        max_array_size: 10_000_000,
        max_map_size: 1_000_000,
        max_indicator_bytes: 4 << 30,
        max_orders: 1_000_000_000,
    };

    /// Checks every limit is from 1 to its ceiling.
    ///
    /// # Errors
    /// The first limit out of range, with its range.
    pub fn check(&self) -> Result<(), String> {
        let c = Self::CEILINGS;
        let limits: [(&str, u64, u64); 8] = [
            ("max_operations", self.max_operations, c.max_operations),
            (
                "max_call_levels",
                widen(self.max_call_levels),
                widen(c.max_call_levels),
            ),
            (
                "max_expr_depth",
                widen(self.max_expr_depth),
                widen(c.max_expr_depth),
            ),
            (
                "max_string_size",
                widen(self.max_string_size),
                widen(c.max_string_size),
            ),
            (
                "max_array_size",
                widen(self.max_array_size),
                widen(c.max_array_size),
            ),
            (
                "max_map_size",
                widen(self.max_map_size),
                widen(c.max_map_size),
            ),
            (
                "max_indicator_bytes",
                widen(self.max_indicator_bytes),
                widen(c.max_indicator_bytes),
            ),
            ("max_orders", self.max_orders, c.max_orders),
        ];
        for (name, value, ceiling) in limits {
            if value == 0 || value > ceiling {
                return Err(format!(
                    "{name} = {value} is out of range: from 1 to {ceiling} (a script's limits are never unlimited)"
                ));
            }
        }
        Ok(())
    }
}

fn widen(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Symbols a strategy script may not use: `eval` runs text the loader
/// never checked; `import`/`export` would load modules (files).
pub const DISABLED_SYMBOLS: &[&str] = &["eval", "import", "export"];

/// A sandboxed engine: `Engine::new_raw` plus the standard package (built
/// with `no_time`, so there is no wall clock), no module resolver, the
/// symbols of [`DISABLED_SYMBOLS`] refused at compile time, `limits` set,
/// and `print`/`debug` sent to tracing under the strategy's id.
#[must_use]
pub fn build_engine(limits: &ScriptLimits, strategy: &str) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    for symbol in DISABLED_SYMBOLS {
        engine.disable_symbol(*symbol);
    }
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size);
    let id: Arc<str> = Arc::from(strategy);
    let print_id = Arc::clone(&id);
    engine
        .on_print(move |text| tracing::info!(target: "bt::script", strategy = %print_id, "{text}"));
    engine.on_debug(move |text, _source, position| {
        tracing::debug!(target: "bt::script", strategy = %id, %position, "{text}");
    });
    engine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_ceilings_pass_and_zero_or_more_does_not() {
        assert_eq!(ScriptLimits::default().check(), Ok(()));
        assert_eq!(ScriptLimits::CEILINGS.check(), Ok(()));
        let unlimited = ScriptLimits {
            max_operations: 0,
            ..ScriptLimits::default()
        };
        assert!(unlimited.check().is_err());
        let deep = ScriptLimits {
            max_call_levels: ScriptLimits::CEILINGS.max_call_levels + 1,
            ..ScriptLimits::default()
        };
        assert!(deep.check().unwrap_err().contains("max_call_levels"));
    }
}
