//! Positions in text, for error messages.

/// 1-based line and column (in characters) of byte `offset`.
#[must_use]
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Levenshtein distance, for "did you mean".
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate nearest to `name` (case-insensitively): the shortest one
/// that contains it (`Sharpe` → `Sharpe Ratio`), else one at most three
/// edits away; the "did you mean" of an unknown name.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if name.len() >= 3
        && let Some(found) = candidates
            .iter()
            .filter(|c| c.to_lowercase().contains(&name))
            .min_by_key(|c| (c.len(), **c))
    {
        return Some(found);
    }
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name, &c.to_lowercase()), c))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("on_bar", "on_bar"), 0);
        assert_eq!(edit_distance("on_bars", "on_bar"), 1);
        assert_eq!(edit_distance("on_bra", "on_bar"), 2);
    }

    #[test]
    fn nearest_ignores_case_and_gives_up_far_away() {
        let keys = ["Sharpe Ratio", "Sortino Ratio", "SQN"];
        assert_eq!(nearest("sharp ratio", keys), Some("Sharpe Ratio"));
        assert_eq!(nearest("sharpe", keys), Some("Sharpe Ratio"));
        assert_eq!(nearest("Profit", keys), None);
    }
}
