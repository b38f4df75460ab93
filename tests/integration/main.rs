//! One integration-test binary: every test runs the real `bt` on real files.

mod configs;
mod errors;
mod pipelines;
mod reference;
mod util;
mod wrangle;
