//! Where the points come from: the grid (lazily, never materialised),
//! seeded random draws without repeats, or the Bayesian search; each a
//! [`TrialSource`] the sweep asks for batches.

use std::collections::HashSet;

use crate::backtest::ConfigError;
use crate::core::rng::SeededRng;

use super::rows::{RunRow, Trial};
use super::space::ParamNumber;
use super::spec::OptimizeSpec;

/// Slice `index` (0-based) of `count`: the trials whose number in this
/// shard's sequence is `index` modulo `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Self = Self { index: 0, count: 1 };

    /// Parses `I/N`.
    ///
    /// # Errors
    /// Not two integers, `N` zero, or `I ≥ N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("'{text}': a shard is I/N, e.g. 0/4"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| format!("'{text}': '{i}' is not a shard number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("'{text}': '{n}' is not a shard count"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "'{text}': shards are numbered 0 to N-1 (SLURM_ARRAY_TASK_ID with --array=0-{})",
                count.saturating_sub(1)
            ));
        }
        Ok(Self { index, count })
    }

    const fn takes(self, sequence: u64) -> bool {
        sequence % self.count == self.index
    }
}

/// Gives the sweep its trials, a batch at a time.
pub trait TrialSource {
    /// Up to `n` more trials; none when the search is over.
    ///
    /// # Errors
    /// When the constraint fails to evaluate at a point.
    fn next_batch(&mut self, n: usize) -> Result<Vec<Trial>, ConfigError>;
    /// The finished runs of the last batch (a Bayesian search learns
    /// from them).
    fn tell(&mut self, _rows: &[RunRow]) {}
    /// Positions this source visits in all (for progress) and how many it
    /// has visited.
    fn progress(&self) -> (u64, u64);
}

/// The cartesian product of every parameter's values, the last parameter
/// varying fastest; with `max_tries` below its size, that many points
/// evenly spaced through it.
#[derive(Debug)]
pub struct GridSource<'a> {
    spec: &'a OptimizeSpec,
    sizes: Vec<u64>,
    size: u64,
    /// How many positions are taken (`size`, or `max_tries` when fewer).
    picks: u64,
    next: u64,
    shard: Shard,
}

impl<'a> GridSource<'a> {
    /// # Errors
    /// A grid too large to number, or a constraint that admits no point.
    pub fn new(spec: &'a OptimizeSpec, shard: Shard) -> Result<Self, ConfigError> {
        let sizes: Vec<u64> = spec
            .params
            .iter()
            .map(|p| p.domain.size().unwrap_or(0))
            .collect();
        let size = sizes
            .iter()
            .try_fold(1u64, |acc, n| acc.checked_mul(*n))
            .ok_or_else(|| ConfigError::file(&spec.path, "the grid has more than 2^64 points"))?;
        let picks = spec.max_tries.map_or(size, |m| m.min(size));
        let grid = Self {
            spec,
            sizes,
            size,
            picks,
            next: shard.index,
            shard,
        };
        grid.check_admits_some()?;
        Ok(grid)
    }

    /// The grid position of the `k`th pick.
    fn position(&self, k: u64) -> u64 {
        if self.picks == self.size {
            k
        } else {
            let scaled = u128::from(k) * u128::from(self.size) / u128::from(self.picks);
            u64::try_from(scaled).unwrap_or(u64::MAX)
        }
    }

    /// The values at grid position `ordinal`.
    fn point(&self, mut ordinal: u64) -> Vec<ParamNumber> {
        let mut point = vec![ParamNumber::Int(0); self.sizes.len()];
        for (i, size) in self.sizes.iter().enumerate().rev() {
            let index = ordinal % size;
            ordinal /= size;
            if let Some(v) = self.spec.params[i].domain.value(index) {
                point[i] = v;
            }
        }
        point
    }

    /// Scans the whole grid (not only this shard) until one point passes:
    /// a constraint that rejects everything is a config error.
    fn check_admits_some(&self) -> Result<(), ConfigError> {
        for k in 0..self.picks {
            if self.spec.admits(&self.point(self.position(k)))? {
                return Ok(());
            }
        }
        Err(self.spec.constraint_error(&format!(
            "rejects every one of the {} grid points",
            self.picks
        )))
    }
}

impl TrialSource for GridSource<'_> {
    fn next_batch(&mut self, n: usize) -> Result<Vec<Trial>, ConfigError> {
        let mut batch = Vec::with_capacity(n);
        while batch.len() < n && self.next < self.picks {
            let ordinal = self.position(self.next);
            self.next += self.shard.count;
            let point = self.point(ordinal);
            if self.spec.admits(&point)? {
                batch.push(Trial { ordinal, point });
            }
        }
        Ok(batch)
    }

    fn progress(&self) -> (u64, u64) {
        let total = (self.picks + self.shard.count - 1 - self.shard.index) / self.shard.count;
        let done = self.next.saturating_sub(self.shard.index) / self.shard.count;
        (total, done.min(total))
    }
}

/// `max_tries` points drawn from the seeded stream without repeats (and
/// passing the constraint). Every shard draws the same list and runs its
/// slice of it.
#[derive(Debug)]
pub struct RandomSource {
    trials: Vec<Trial>,
    next: usize,
    shard: Shard,
}

/// Draws tried per point wanted before a random search gives up on a
/// constraint that rejects nearly everything.
const DRAWS_PER_TRY: u64 = 100;

impl RandomSource {
    /// # Errors
    /// When the constraint fails, or admits no point drawn.
    pub fn new(spec: &OptimizeSpec, shard: Shard) -> Result<Self, ConfigError> {
        let wanted = spec.max_tries.unwrap_or(1);
        let trials = draw(spec, wanted, spec.seed, &HashSet::new())?;
        if trials.is_empty() {
            return Err(spec.constraint_error(&format!(
                "rejects every one of the {} points drawn",
                wanted.saturating_mul(DRAWS_PER_TRY)
            )));
        }
        Ok(Self {
            trials,
            next: 0,
            shard,
        })
    }
}

/// Up to `wanted` distinct admitted points not in `seen`, from the stream
/// seeded with `seed`; numbered in the order drawn.
///
/// # Errors
/// When the constraint fails to evaluate.
pub fn draw(
    spec: &OptimizeSpec,
    wanted: u64,
    seed: u64,
    seen: &HashSet<Vec<ParamNumber>>,
) -> Result<Vec<Trial>, ConfigError> {
    let discrete: Option<u64> = spec
        .params
        .iter()
        .map(|p| p.domain.size())
        .try_fold(1u64, |acc, n| n.and_then(|n| acc.checked_mul(n)));
    let mut rng = SeededRng::new(seed);
    let mut drawn: HashSet<Vec<ParamNumber>> = HashSet::new();
    let mut trials = Vec::new();
    let budget = wanted.saturating_mul(DRAWS_PER_TRY).max(1_000);
    for _ in 0..budget {
        if u64::try_from(trials.len()).unwrap_or(u64::MAX) >= wanted {
            break;
        }
        // Every distinct point has been seen: nothing new can come.
        if discrete.is_some_and(|n| u64::try_from(drawn.len()).unwrap_or(u64::MAX) >= n) {
            break;
        }
        let point: Option<Vec<ParamNumber>> = spec
            .params
            .iter()
            .map(|p| p.domain.draw(rng.next_f64()))
            .collect();
        let Some(point) = point else { continue };
        if !drawn.insert(point.clone()) || seen.contains(&point) {
            continue;
        }
        if spec.admits(&point)? {
            let ordinal = u64::try_from(trials.len()).unwrap_or(u64::MAX);
            trials.push(Trial { ordinal, point });
        }
    }
    Ok(trials)
}

impl TrialSource for RandomSource {
    fn next_batch(&mut self, n: usize) -> Result<Vec<Trial>, ConfigError> {
        let mut batch = Vec::with_capacity(n);
        while batch.len() < n && self.next < self.trials.len() {
            let trial = &self.trials[self.next];
            self.next += 1;
            if self.shard.takes(trial.ordinal) {
                batch.push(trial.clone());
            }
        }
        Ok(batch)
    }

    fn progress(&self) -> (u64, u64) {
        let all = u64::try_from(self.trials.len()).unwrap_or(u64::MAX);
        let next = u64::try_from(self.next).unwrap_or(u64::MAX);
        // Of the first `upto` trials, how many are this shard's.
        let mine = |upto: u64| {
            if upto > self.shard.index {
                (upto - self.shard.index - 1) / self.shard.count + 1
            } else {
                0
            }
        };
        (mine(all), mine(next))
    }
}

/// The source of `spec`'s method for `shard` (a Bayesian search is
/// sequential and runs whole: callers refuse to shard it).
///
/// # Errors
/// As the source's own constructor.
pub fn source_for(
    spec: &OptimizeSpec,
    shard: Shard,
) -> Result<Box<dyn TrialSource + '_>, ConfigError> {
    Ok(match spec.method {
        super::spec::Method::Grid => Box::new(GridSource::new(spec, shard)?),
        super::spec::Method::Random => Box::new(RandomSource::new(spec, shard)?),
        super::spec::Method::Bayesian => {
            Box::new(super::bayes::BayesSource::new(spec, spec.batch)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::optimization::spec::Overrides;

    fn spec(optimize: &str) -> OptimizeSpec {
        let text = format!(
            "[backtest]\nname = \"t\"\n[[strategies]]\nid = \"S\"\nparams = {{ fast = 1, slow = 2, size = 1.0 }}\n{optimize}"
        );
        OptimizeSpec::parse(Path::new("c.toml"), &text, &Overrides::default()).unwrap()
    }

    fn all(source: &mut dyn TrialSource) -> Vec<Trial> {
        let mut out = Vec::new();
        loop {
            let batch = source.next_batch(3).unwrap();
            if batch.is_empty() {
                return out;
            }
            out.extend(batch);
        }
    }

    const GRID: &str = "[optimize]\nconstraint = \"fast < slow\"\n[optimize.params]\n\"strategies.S.params.fast\" = [5, 10, 15]\n\"strategies.S.params.slow\" = [10, 20]\n";

    #[test]
    fn grid_order_is_the_last_parameter_fastest() {
        let s = spec(GRID);
        let trials = all(&mut GridSource::new(&s, Shard::ALL).unwrap());
        let points: Vec<(u64, String)> = trials
            .iter()
            .map(|t| (t.ordinal, format!("{},{}", t.point[0], t.point[1])))
            .collect();
        assert_eq!(
            points,
            [
                (0, "5,10".into()),
                (1, "5,20".into()),
                (3, "10,20".into()),
                (5, "15,20".into())
            ]
        );
    }

    #[test]
    fn shards_partition_the_grid() {
        let s = spec(GRID);
        let whole = all(&mut GridSource::new(&s, Shard::ALL).unwrap());
        let mut merged: Vec<Trial> = (0..3)
            .flat_map(|i| all(&mut GridSource::new(&s, Shard { index: i, count: 3 }).unwrap()))
            .collect();
        merged.sort_by_key(|t| t.ordinal);
        assert_eq!(merged, whole);
        let mut grid = GridSource::new(&s, Shard { index: 1, count: 4 }).unwrap();
        assert_eq!(grid.progress(), (2, 0));
        all(&mut grid);
        assert_eq!(grid.progress(), (2, 2));
    }

    #[test]
    fn max_tries_caps_a_grid_with_evenly_spaced_points() {
        let s = spec(
            "[optimize]\nmax_tries = 4\n[optimize.params]\n\"strategies.S.params.fast\" = { from = 1, to = 10, step = 1 }\n\"strategies.S.params.slow\" = [10, 20]\n",
        );
        let trials = all(&mut GridSource::new(&s, Shard::ALL).unwrap());
        let ordinals: Vec<u64> = trials.iter().map(|t| t.ordinal).collect();
        assert_eq!(ordinals, [0, 5, 10, 15], "positions k × 20 / 4");
        let shards: Vec<u64> = (0..2)
            .flat_map(|i| all(&mut GridSource::new(&s, Shard { index: i, count: 2 }).unwrap()))
            .map(|t| t.ordinal)
            .collect();
        assert_eq!(shards, [0, 10, 5, 15]);
    }

    #[test]
    fn a_constraint_that_admits_nothing_is_an_error() {
        let text = GRID.replace("fast < slow", "fast > 100");
        let s = spec(&text);
        let error = GridSource::new(&s, Shard::ALL).unwrap_err();
        assert!(
            error.message.contains("rejects every one of the 6"),
            "{error}"
        );
    }

    #[test]
    fn random_draws_are_seeded_distinct_and_sharded() {
        let s = spec(
            "[optimize]\nmethod = \"random\"\nmax_tries = 20\nseed = 3\n[optimize.params]\n\"strategies.S.params.fast\" = { from = 1, to = 10, step = 1 }\n\"strategies.S.params.size\" = { from = 0.01, to = 1.0, log = true }\n",
        );
        let a = all(&mut RandomSource::new(&s, Shard::ALL).unwrap());
        let b = all(&mut RandomSource::new(&s, Shard::ALL).unwrap());
        assert_eq!(a, b);
        assert_eq!(a.len(), 20);
        let distinct: HashSet<&Vec<ParamNumber>> = a.iter().map(|t| &t.point).collect();
        assert_eq!(distinct.len(), 20);
        let mut merged: Vec<Trial> = (0..2)
            .flat_map(|i| all(&mut RandomSource::new(&s, Shard { index: i, count: 2 }).unwrap()))
            .collect();
        merged.sort_by_key(|t| t.ordinal);
        assert_eq!(merged, a);
    }

    #[test]
    fn random_search_stops_when_the_space_is_exhausted() {
        let s = spec(
            "[optimize]\nmethod = \"random\"\nmax_tries = 50\n[optimize.params]\n\"strategies.S.params.fast\" = [1, 2, 3]\n",
        );
        assert_eq!(
            all(&mut RandomSource::new(&s, Shard::ALL).unwrap()).len(),
            3
        );
    }

    #[test]
    fn shards_parse_as_slurm_numbers_them() {
        assert_eq!(Shard::parse("3/4"), Ok(Shard { index: 3, count: 4 }));
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("x").is_err());
    }
}
