#!/usr/bin/env python3
"""Enforces the import rules of DESIGN.md: each module imports only the
layers below it, and each heavy crate lives in its one module.

Run from the project root; exits non-zero listing every violation."""
import pathlib
import re
import sys

# module -> modules of the crate it may import (besides itself).
ALLOWED = {
    "core": set(),
    "model": {"core"},
    "indicators": {"core", "model"},
    "data": {"core", "model"},
    "state": {"core", "model"},
    "engine": {"core", "model", "state"},
    "venues": {"core", "model", "state", "engine"},
    "analysis": {"core", "model", "state"},
    "trading": {"core", "model", "state", "engine", "indicators", "analysis"},
    "backtest": {"core", "model", "indicators", "data", "state", "engine", "venues", "analysis", "trading"},
    "report": {"core", "model", "analysis", "backtest"},
    "optimization": {"core", "model", "data", "analysis", "trading", "backtest", "report"},
    "live": {"core", "model", "state", "engine", "trading"},
    "cli": None,  # everything
    "error": {"backtest", "data", "report", "optimization"},
    "lib": None,
}

# external crate -> the modules (or top-level files) that may name it.
HEAVY = {
    "polars": {"data"},
    "polars_parquet": {"data"},
    "polars_buffer": {"data"},
    "csv": {"data", "report"},
    "comfy_table": {"report"},
    "plotters": {"report"},
    "rhai": {"trading/script"},
    "rayon": {"optimization"},
    "clap": {"cli", "main"},
    "clap_complete": {"cli"},
    "indicatif": {"cli"},
    "tracing_subscriber": {"main", "cli"},
}

USE_CRATE = re.compile(r"\bcrate::(\w+)")
EXTERNAL = re.compile(r"(?<![\w:])(" + "|".join(HEAVY) + r")::")


def owner(path: pathlib.Path) -> str:
    rel = path.relative_to("src")
    return rel.parts[0].removesuffix(".rs") if rel.parts else ""


def main() -> int:
    problems = []
    for path in sorted(pathlib.Path("src").rglob("*.rs")):
        module = owner(path)
        rel = str(path.relative_to("src"))
        allowed = ALLOWED.get(module, set())
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("//", 1)[0]
            for target in USE_CRATE.findall(code):
                if allowed is not None and target != module and target in ALLOWED and target not in allowed:
                    problems.append(f"{path}:{number}: `{module}` may not import `crate::{target}`")
            for crate in EXTERNAL.findall(code):
                homes = HEAVY[crate]
                if not any(rel == f"{home}.rs" or rel.startswith(f"{home}/") for home in homes):
                    problems.append(f"{path}:{number}: `{crate}` belongs in {', '.join(sorted(homes))} only")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} layer violation(s)")
        return 1
    print("layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
