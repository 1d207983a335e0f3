"""Time `nox -s docs` cold and warm, and split each build into its phases.

Cold: the environments exist, but docs/_build (with the jupyter cache) is removed, so every
chapter runs. Warm: nothing changed since the last build. Edited: the simulator changed (a
comment added), so every chapter runs again; undone: back as it was. Each nox command line
("nox > pip install ...", "nox > sphinx-build ...") is timestamped as it arrives, which splits
a build into its steps; jupyter-cache records how long each chapter took to execute, which
splits the sphinx-build step into cell execution and Sphinx itself.

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
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPORT_DIR, ROOT, log, met, table

BUILD = ROOT / "docs" / "_build"
CACHE = BUILD / ".jupyter_cache"  # one folder per simulator digest (docs/_ext/gradbook_cache.py)
# The file an "edited" build appends a comment to, and restores after the build.
SIMULATOR_EDIT = ROOT / "src" / "gradbook" / "__init__.py"
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


def cached_runs() -> dict[tuple[str, int], tuple[str, float]]:
    """The jupyter caches' executed notebooks: (cache, id) -> (chapter, seconds it took)."""
    found = {}
    for db_path in sorted(CACHE.glob("*/global.db")):
        with sqlite3.connect(db_path) as db:
            rows = db.execute("select pk, uri, data from nbcache").fetchall()
        for pk, uri, data in rows:
            seconds = json.loads(data or "{}").get("execution_seconds", 0.0)
            found[(db_path.parent.name, pk)] = (Path(uri).stem, seconds)
    return found


@contextmanager
def simulator_edited() -> Iterator[None]:
    """A change to the simulator that changes no result: a comment, removed afterwards."""
    original = SIMULATOR_EDIT.read_bytes()
    SIMULATOR_EDIT.write_bytes(original + b"\n# bench/docs_build.py: undone after a build\n")
    try:
        yield
    finally:
        SIMULATOR_EDIT.write_bytes(original)


def one_build(kind: str, args: list[str]) -> dict:
    if kind == "cold":
        shutil.rmtree(BUILD, ignore_errors=True)
    before = cached_runs()
    with simulator_edited() if kind == "edited" else nullcontext():
        r = run_nox(args)
    r["execution"] = {chapter: t for pk, (chapter, t) in cached_runs().items() if pk not in before}
    r["executed"] = sum(r["execution"].values())
    return r


KINDS = {
    "cold": ["-s", "docs"],
    "warm": ["-s", "docs"],
    "warm -R": ["-R", "-s", "docs"],
    "edited -R": ["-R", "-s", "docs"],
    "undone -R": ["-R", "-s", "docs"],
}


def measure(repeats: int = 3) -> dict:
    if not (ROOT / ".nox" / "docs").is_dir():
        log("docs: creating the docs environment first (not timed)")
        run_nox(["-s", "docs"])
    runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for i in range(repeats):
        # Cold then warm, in turn: a warm build always follows a finished build. Then a
        # simulator edit (every chapter must run again) and its undoing (the previous cache).
        for kind, args in KINDS.items():
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
        "chapters run": statistics.median(len(r["execution"]) for r in runs),
        "chapters": {
            c: statistics.median(r["execution"].get(c, 0.0) for r in runs) for c in chapters
        },
    }


def section(r: dict) -> list[str]:
    s = lambda t: f"{t:.1f}"  # noqa: E731
    cold, warm, quick = r["cold"], r["warm"], r["warm -R"]
    edited, undone = r["edited -R"], r["undone -R"]
    lines = ["## Docs build", ""]
    lines.append(
        f"`nox -s docs` as a subprocess, median of {cold['n']} runs each. Cold: the environments "
        "exist, docs/_build and the jupyter cache are removed. Warm: nothing changed. "
        "`nox -R -s docs` skips the Python installs. Edited: a comment appended to "
        f"{SIMULATOR_EDIT.relative_to(ROOT)} before the build (every chapter must run again); "
        "undone: the comment removed again (the previous simulator's cache is kept)."
    )
    lines.append("")
    order = [
        "nox itself",
        "install Python packages",
        "npm ci",
        "bundle the scene",
        "sphinx-build",
    ]
    header = [
        "build", "total (s)", "target", "", *order, "chapters run", "of which cells ran",
        "Sphinx alone",
    ]  # fmt: skip
    rows = []
    builds = (
        ("cold", cold),
        ("warm", warm),
        ("warm, `-R`", quick),
        ("simulator edited, `-R`", edited),
        ("edit undone, `-R`", undone),
    )
    for name, b in builds:
        target = TARGETS.get(name.split(",")[0])
        sphinx = b["phases"].get("sphinx-build", 0.0)
        rows.append(
            [
                name,
                f"**{s(b['total'])}**",
                f"≤ {target:.0f}" if target else "",
                met(b["total"] <= target) if target else "",
                *(s(b["phases"].get(p, 0.0)) for p in order),
                f"{b['chapters run']:.0f}",
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
        f"{', '.join(s(t) for t in quick['totals'])}; edited "
        f"{', '.join(s(t) for t in edited['totals'])}; undone "
        f"{', '.join(s(t) for t in undone['totals'])}.",
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
    edited, undone = r["edited -R"], r["undone -R"]
    rows.append(
        [
            "docs build",
            "a simulator edit runs every chapter again; an unchanged rebuild none",
            f"edited: {edited['chapters run']:.0f} chapters run, {edited['total']:.1f} s; "
            f"warm: {r['warm']['chapters run']:.0f} run; edit undone: "
            f"{undone['chapters run']:.0f} run, {undone['total']:.1f} s",
            met(edited["chapters run"] > 0 and r["warm"]["chapters run"] == 0),
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
