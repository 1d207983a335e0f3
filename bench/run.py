"""Run every gradbook benchmark in one go and write bench/report/REPORT.md.

    nox -s bench                 # everything; PyTorch is compared when it is installed
    nox -s bench -- --torch      # install PyTorch into the bench environment first: adds
                                 # gradbook.torch's overhead, memory and file size
    python bench/run.py --skip docs --skip scene   # parts: simulator, docs, pages, scene, lab

The order matters: the simulator runs first, on a quiet machine; the docs builds come next and
leave a built book behind, which the page-weight and lab parts load; the scene part needs the
bundle that the build made. Raw numbers go to bench/report/results.json beside the report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docs_build
import lab_bench
import page_weight
import scene_bench
import simulator
import torch_recorder
from common import REPORT_DIR, log, table

PARTS = {
    "simulator": simulator,
    "torch": torch_recorder,
    "docs": docs_build,
    "pages": page_weight,
    "scene": scene_bench,
    "lab": lab_bench,
}


def _chromium_version() -> str:
    try:
        path, _ = scene_bench.chromium()
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
        return done.stdout.strip()
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return "no Chromium"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--skip", action="append", default=[], choices=list(PARTS))
    parser.add_argument("--repeats", type=int, default=3, help="docs builds and scene page loads")
    parser.add_argument("--torch", action="store_true", help="(for nox: install PyTorch)")
    opts = parser.parse_args()
    start = time.perf_counter()
    results, sections, summary = {}, [], []
    for name, part in PARTS.items():
        if name in opts.skip:
            continue
        part_start = time.perf_counter()
        try:
            r = part.measure(repeats=opts.repeats) if name in ("docs", "scene") else part.measure()
        except RuntimeError as missing:  # no Chromium, no built book, no nox: say so, go on
            log(f"{name}: skipped: {missing}")
            sections += ["", f"## {name.capitalize()}", "", f"Not measured: {missing}."]
            summary.append([name, "", f"not measured: {missing}", ""])
            continue
        log(f"{name}: {time.perf_counter() - part_start:.0f} s")
        results[name] = r
        sections += ["", *part.section(r)]
        summary += part.summary(r)
    elapsed = time.perf_counter() - start
    head = [
        "# gradbook benchmarks",
        "",
        f"Written by `nox -s bench` on {time.strftime('%Y-%m-%d %H:%M')}, in {elapsed / 60:.1f} "
        f"minutes. Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {_chromium_version()}. "
        "Every number below was measured in this run; timings are medians, and these machines "
        "are shared, so compare ratios within a run rather than times across runs.",
        "",
        "## Targets",
        "",
        *table(["part", "target", "measured", ""], summary, left=4),
    ]
    text = "\n".join(head + sections) + "\n"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "REPORT.md").write_text(text)
    (REPORT_DIR / "results.json").write_text(json.dumps(results, indent=1, default=str))
    sys.stdout.write(text)
    log(f"wrote {REPORT_DIR / 'REPORT.md'} in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
