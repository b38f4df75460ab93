//! Positions in text, near names and short excerpts, for error messages.

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

/// The 1-based line where `source` nests deepest: open brackets and
/// braces carried over from earlier lines, plus the line's own brackets,
/// braces and dots (dotted keys nest too). Strings are not told apart: it
/// only points at a line when a parser gives up without one.
#[must_use]
pub fn deepest_line(source: &str) -> Option<usize> {
    let mut depth: usize = 0;
    let mut best: Option<(usize, usize)> = None;
    for (number, line) in source.lines().enumerate() {
        let (mut open, mut close, mut dots) = (0usize, 0usize, 0usize);
        for c in line.chars() {
            match c {
                '[' | '{' => open += 1,
                ']' | '}' => close += 1,
                '.' => dots += 1,
                _ => {}
            }
        }
        let score = depth + open + dots;
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((number + 1, score));
        }
        depth = (depth + open).saturating_sub(close);
    }
    best.map(|(line, _)| line)
}

/// `error` with its causes, as one line: `what failed: why: why`.
#[must_use]
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The longest run of text without a space an error message shows whole:
/// longer than any path a user types, shorter than a runaway cell.
const MAX_WORD: usize = 256;
/// The most of a message shown.
const MAX_MESSAGE: usize = 4_096;

/// `message` with each run of text without whitespace longer than
/// [`MAX_WORD`] cut to its start (a 10 MB cell quoted back becomes its
/// first characters and its size), and the whole cut at [`MAX_MESSAGE`]:
/// errors quote excerpts of the input, never the input.
#[must_use]
pub fn clip(message: &str) -> std::borrow::Cow<'_, str> {
    let long_word = message
        .split(char::is_whitespace)
        .any(|word| word.len() > MAX_WORD);
    if !long_word && message.len() <= MAX_MESSAGE {
        return std::borrow::Cow::Borrowed(message);
    }
    let mut out = String::new();
    let mut rest = message;
    while !rest.is_empty() && out.len() < MAX_MESSAGE {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        if word.len() > MAX_WORD {
            out.push_str(head(word, 64));
            out.push_str(&format!("… ({} bytes)", word.len()));
        } else {
            out.push_str(word);
        }
        let space = tail.len() - tail.trim_start().len();
        out.push_str(&tail[..space]);
        rest = &tail[space..];
    }
    if !rest.is_empty() {
        out.push_str(&format!(" … (message cut: {} more bytes)", rest.len()));
    }
    std::borrow::Cow::Owned(out)
}

/// The first at most `bytes` bytes of `text`, on a character boundary.
fn head(text: &str, bytes: usize) -> &str {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deepest_line_is_found() {
        let dotted = format!("[a]\nb = 1.5\n[{}]\nc = 1\n", vec!["x"; 500].join("."));
        assert_eq!(deepest_line(&dotted), Some(3));
        let arrays = format!("a = 1\nb = {}1{}\n", "[".repeat(300), "]".repeat(300));
        assert_eq!(deepest_line(&arrays), Some(2));
    }

    #[test]
    fn clip_keeps_short_messages_and_cuts_runaway_words() {
        let plain = "x.csv:3 column 'open': invalid decimal 'abc'";
        assert_eq!(clip(plain), plain);
        let cell = "é".repeat(5_000_000);
        let long = format!("x.csv:3 column 'open': invalid decimal '{cell}': not a number");
        let clipped = clip(&long);
        assert!(clipped.len() < 200, "{clipped}");
        assert!(
            clipped.starts_with("x.csv:3 column 'open': invalid decimal 'ééé"),
            "{clipped}"
        );
        assert!(
            clipped.ends_with("… (10000003 bytes) not a number"),
            "{clipped}"
        );
        let many = "word ".repeat(10_000);
        let clipped = clip(&many);
        assert!(
            clipped.len() < 4_200 && clipped.ends_with("more bytes)"),
            "{clipped}"
        );
    }

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
