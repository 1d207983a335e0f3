"""Time `nox -s docs` cold and warm, and split each build into its phases.

Cold: the environments exist, but docs/_build (with the jupyter cache) is removed, so every
chapter runs. Warm: nothing changed since the last build. Each nox command line ("nox > pip
install ...", "nox > sphinx-build ...") is timestamped as it arrives, which splits a build into
its steps; jupyter-cache records how long each chapter took to execute, which splits the
sphinx-build step into cell execution and Sphinx itself.

Part of `nox -s bench`; also runs alone: `python bench/docs_build.py`.
"""

from __future__ import annotations

import itertools
import json
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPORT_DIR, ROOT, log, met, table

BUILD = ROOT / "docs" / "_build"
CACHE_DB = BUILD / ".jupyter_cache" / "global.db"
TARGETS = {"cold": 60.0, "warm": 10.0}  # seconds
# What each nox line starts, by a phrase in it; any other line starts nox's own work.
PHASES = {
    "pip install": "install Python packages",  # "python -m pip install" or "uv pip install"
    "npm ci": "npm ci",  # also the line saying that npm ci is not needed
    "npm run build": "bundle the scene",
    "sphinx-build": "sphinx-build",
}


def nox_command() -> list[str]:
    """How to call nox: the bench session passes its own (GRADBOOK_NOX), else nox on PATH."""
    given = os.environ.get("GRADBOOK_NOX")
    if given:
        return shlex.split(given)
    found = shutil.which("nox")
    if found is None:
        raise RuntimeError("nox is not on PATH: python -m pip install nox")
    return [found]


def _clean_env() -> dict[str, str]:
    """The caller's environment without the bench session's virtualenv, as a user would run nox."""
    env = dict(os.environ)
    venv = env.pop("VIRTUAL_ENV", None)
    if venv:
        bin_dir = str(Path(venv) / "bin")
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != bin_dir)
    for key in ("NOX_CURRENT_SESSION", "GRADBOOK_NOX", "PYTHONHOME"):
        env.pop(key, None)
    return env


def run_nox(args: list[str]) -> dict:
    """Run nox, timestamping its command lines; returns total time and time per phase."""
    cmd = [*nox_command(), *args]
    start = time.perf_counter()
    marks: list[tuple[float, str]] = []
    out: list[str] = []
    with subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as proc:
        for line in proc.stdout:
            now = time.perf_counter() - start
            out.append(line)
            if line.startswith("nox > "):
                marks.append((now, line[len("nox > ") :].strip()))
    total = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write("".join(out[-60:]))
        raise RuntimeError(f"{shlex.join(cmd)} failed with exit code {proc.returncode}")
    phases: dict[str, float] = {}
    marks = [(0.0, "(nox starts)"), *marks, (total, "(nox ends)")]
    for (t0, text), (t1, _) in itertools.pairwise(marks):
        name = next((label for key, label in PHASES.items() if key in text), "nox itself")
        phases[name] = phases.get(name, 0.0) + (t1 - t0)
    return {"total": total, "phases": phases}


def cached_runs() -> dict[int, tuple[str, float]]:
    """The jupyter cache's executed notebooks: id -> (chapter, seconds its execution took)."""
    if not CACHE_DB.exists():
        return {}
    with sqlite3.connect(CACHE_DB) as db:
        rows = db.execute("select pk, uri, data from nbcache").fetchall()
    return {
        pk: (Path(uri).stem, json.loads(data or "{}").get("execution_seconds", 0.0))
        for pk, uri, data in rows
    }


def one_build(kind: str, args: list[str]) -> dict:
    if kind == "cold":
        shutil.rmtree(BUILD, ignore_errors=True)
    before = cached_runs()
    r = run_nox(args)
    r["execution"] = {chapter: t for pk, (chapter, t) in cached_runs().items() if pk not in before}
    r["executed"] = sum(r["execution"].values())
    return r


def measure(repeats: int = 3) -> dict:
    if not (ROOT / ".nox" / "docs").is_dir():
        log("docs: creating the docs environment first (not timed)")
        run_nox(["-s", "docs"])
    runs: dict[str, list[dict]] = {"cold": [], "warm": [], "warm -R": []}
    for i in range(repeats):
        # Cold then warm, in turn: a warm build always follows a finished build.
        for kind, args in (
            ("cold", ["-s", "docs"]),
            ("warm", ["-s", "docs"]),
            ("warm -R", ["-R", "-s", "docs"]),
        ):
            log(f"docs: {kind} build {i + 1} of {repeats}")
            runs[kind].append(one_build(kind.split()[0], args))
    return {kind: summarize(rs) for kind, rs in runs.items()}


def summarize(runs: list[dict]) -> dict:
    """Median total, and the median of each phase across runs; execution per chapter."""
    phases = sorted({p for r in runs for p in r["phases"]})
    chapters = sorted({c for r in runs for c in r["execution"]})
    return {
        "n": len(runs),
        "total": statistics.median(r["total"] for r in runs),
        "totals": [r["total"] for r in runs],
        "phases": {p: statistics.median(r["phases"].get(p, 0.0) for r in runs) for p in phases},
        "executed": statistics.median(r["executed"] for r in runs),
        "chapters": {
            c: statistics.median(r["execution"].get(c, 0.0) for r in runs) for c in chapters
        },
    }


def section(r: dict) -> list[str]:
    s = lambda t: f"{t:.1f}"  # noqa: E731
    cold, warm, quick = r["cold"], r["warm"], r["warm -R"]
    lines = ["## Docs build", ""]
    lines.append(
        f"`nox -s docs` as a subprocess, median of {cold['n']} runs each. Cold: the environments "
        "exist, docs/_build and the jupyter cache are removed. Warm: nothing changed. "
        "`nox -R -s docs` skips the Python installs."
    )
    lines.append("")
    order = [
        "nox itself",
        "install Python packages",
        "npm ci",
        "bundle the scene",
        "sphinx-build",
    ]
    header = ["build", "total (s)", "target", "", *order, "of which cells ran", "Sphinx alone"]
    rows = []
    for name, b in (("cold", cold), ("warm", warm), ("warm, `-R`", quick)):
        target = TARGETS.get(name.split(",")[0])
        sphinx = b["phases"].get("sphinx-build", 0.0)
        rows.append(
            [
                name,
                f"**{s(b['total'])}**",
                f"≤ {target:.0f}" if target else "",
                met(b["total"] <= target) if target else "",
                *(s(b["phases"].get(p, 0.0)) for p in order),
                s(b["executed"]),
                s(sphinx - b["executed"]),
            ]
        )
    lines += table(header, rows)
    lines += [
        "",
        f"Warm / cold: {warm['total'] / cold['total']:.2f}. Every run (s): cold "
        f"{', '.join(s(t) for t in cold['totals'])}; warm "
        f"{', '.join(s(t) for t in warm['totals'])}; warm -R "
        f"{', '.join(s(t) for t in quick['totals'])}.",
        "",
        "Cell execution per chapter in a cold build (s, from jupyter-cache; it includes starting "
        "the kernel):",
        "",
    ]
    lines += table(["chapter", "executed (s)"], [[c, s(t)] for c, t in cold["chapters"].items()])
    return lines


def summary(r: dict) -> list[list[str]]:
    rows = []
    for kind in ("cold", "warm"):
        b = r[kind]
        sphinx = b["phases"].get("sphinx-build", 0.0)
        rows.append(
            [
                "docs build",
                f"{kind} `nox -s docs` ≤ {TARGETS[kind]:.0f} s",
                f"{b['total']:.1f} s (cells {b['executed']:.1f} s, Sphinx "
                f"{sphinx - b['executed']:.1f} s, installs and bundle "
                f"{b['total'] - sphinx:.1f} s)",
                met(b["total"] <= TARGETS[kind]),
            ]
        )
    return rows


def main() -> int:
    r = measure(repeats=int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    text = "\n".join(section(r)) + "\n"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "docs_build.md").write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
