//! report.html in a real headless Chromium: it renders without console
//! errors, every panel is there, and it draws one marker per trade.
//! Skipped, saying so, where no Chromium is installed (`.ci/run` installs
//! Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{bt, png_pixels, results, root, run_config, scratch, single_config, write};

pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

/// The DOM after the page's scripts ran, and Chromium's log.
pub fn render(browser: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Opens the page at `page` in headless Chromium: it must name nothing on
/// the network, log nothing to the console and mark itself ready. Its DOM,
/// or `None` (said) where no Chromium is installed.
pub fn open_self_contained(page: &Path) -> Option<String> {
    let html = std::fs::read_to_string(page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: no Chromium to open {} in (apt-get install chromium)",
            page.display()
        );
        return None;
    };
    let (dom, log) = render(&browser, page, &["--dump-dom"]);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console output: {console:#?}");
    assert!(
        dom.contains(r#"data-ready="true""#),
        "the page did not finish"
    );
    Some(dom)
}

#[test]
fn the_report_renders_in_chromium_with_a_marker_per_trade() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: no Chromium to open report.html in (apt-get install chromium)");
        return;
    };
    let dir = run_config("ema_cross", &[]);
    let out = dir.path().join("out");
    let page = out.join("report.html");
    let (dom, log) = render(&browser, &page, &["--dump-dom"]);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console output: {console:#?}");
    assert!(
        dom.contains(r#"data-ready="true""#),
        "the script did not finish"
    );
    for panel in [
        "price", "equity", "drawdown", "pnl", "stats", "heatmap", "trades",
    ] {
        assert!(
            dom.contains(&format!(r#"id="{panel}""#)),
            "no {panel} panel"
        );
    }
    let json = results(&out);
    let trades =
        json["trades"].as_array().unwrap().len() + json["open_trades"].as_array().unwrap().len();
    assert!(
        dom.contains(&format!(r#"data-markers="{trades}""#)),
        "expected {trades} trade markers"
    );
    assert!(
        dom.matches("<tr>").count() >= trades,
        "one table row per trade"
    );
    // The demo's EMA(10) and EMA(30) are drawn over the price.
    assert!(dom.contains(r#"data-overlays="2""#), "indicator overlays");
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .contains(r#""name":"EMA(10)""#)
    );

    let shot = dir.path().join("shot.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    render(&browser, &page, &[&shot_arg, "--window-size=1200,1800"]);
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 50_000,
        "a screenshot with content"
    );
}

#[test]
fn a_long_run_gives_a_small_report() {
    let dir = scratch();
    let data = root().join("tests/fixtures/bars_100k.parquet");
    let config = write(
        dir.path(),
        "w2.toml",
        &single_config(&data, "ema_cross", "fast = 10, slow = 30", "0.001"),
    );
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    // 100,000 bars and 1,811 trades: thinned to a few thousand points.
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
    assert!(html.contains("100000 bars are drawn as"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing fetched"
    );
}

#[test]
fn the_png_decodes_at_its_size_and_shows_the_charts() {
    let dir = run_config("ema_cross", &[]);
    // Not blank: a good share of the pixels are not the white background,
    // and the chart colours are there (blue equity line, red drawdown).
    let pixels = png_pixels(&dir.path().join("out/report.png"));
    let inked = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
    assert!(
        inked * 10 > pixels.len(),
        "{inked} of {} pixels drawn",
        pixels.len()
    );
    assert!(pixels.contains(&[47, 95, 208]), "no equity line");
    assert!(
        pixels
            .iter()
            .any(|p| p[0] > 200 && p[1] < 150 && p[2] < 150),
        "no drawdown"
    );
}

#[test]
fn the_png_labels_are_anti_aliased_vector_text() {
    // The first panel's title, "Price and trades …", top left: a vector
    // font's edges blend ink into the white background in many greys; the
    // old pixel font had two (ink and white).
    let dir = run_config("demo", &[]);
    let pixels = png_pixels(&dir.path().join("out/report.png"));
    let width = bt::report::PNG_WIDTH as usize;
    // Grey levels: the brightness of each pixel (the ink is a dark
    // blue-grey, so its blends with white are not pure greys).
    let mut greys = std::collections::BTreeSet::new();
    for y in 8..32 {
        for x in 88..220 {
            let [r, g, b] = pixels[y * width + x];
            greys.insert(u16::from(r) + u16::from(g) + u16::from(b));
        }
    }
    assert!(greys.len() > 2, "grey levels in the title: {greys:?}");
    assert!(
        greys.len() > 10,
        "only {} grey levels: not anti-aliased",
        greys.len()
    );
}
