#!/usr/bin/env bash
# Regenerates tests/fixtures/oracle/ (bars and Backtesting.py's expected
# results for tests/integration/oracle.rs) with Backtesting.py installed
# from PyPI into a throwaway venv. Only needed when the cases change:
# `cargo test` reads the committed fixtures.
#
# Usage, from the project root: scripts/backtesting_py_oracle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "backtesting==0.6.6" "pandas<3" "numpy<3"
"$venv/bin/python" scripts/backtesting_py_oracle.py tests/fixtures/oracle
