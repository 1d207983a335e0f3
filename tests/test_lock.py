"""constraints.txt, the lock every nox session installs through, agrees with pyproject.toml:
every requirement of every locked group (and of the package) is pinned, inside its range, and
nothing in the lock is left unpinned. `nox -s lock` rewrites it after a group changes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = ROOT / "constraints.txt"
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+?)(\s*;\s*(?P<marker>.+))?$"
)


def _locked_groups() -> tuple[str, ...]:
    """LOCKED_GROUPS as noxfile.py defines it (read, not imported: the tests have no nox)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "LOCKED_GROUPS" for t in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py defines no LOCKED_GROUPS")


def _pins() -> dict[str, list[tuple[Version, Marker | None]]]:
    pins: dict[str, list[tuple[Version, Marker | None]]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = PIN.match(line.strip())
        assert m, f"not an exact pin in {LOCK.name}: {line!r}"
        marker = Marker(m["marker"]) if m["marker"] else None
        pins.setdefault(canonicalize_name(m["name"]), []).append((Version(m["version"]), marker))
    return pins


def _requirements() -> list[tuple[str, Requirement]]:
    groups = PYPROJECT["dependency-groups"]
    found = [("project", Requirement(r)) for r in PYPROJECT["project"]["dependencies"]]
    for group in _locked_groups():
        assert group in groups, f"LOCKED_GROUPS names {group!r}, which pyproject.toml lacks"
        found += [(group, Requirement(r)) for r in groups[group] if isinstance(r, str)]
    return found


def test_lock_was_written_by_nox_lock() -> None:
    assert "nox -s lock" in LOCK.read_text(encoding="utf-8").splitlines()[1]


def test_every_requirement_is_pinned_inside_its_range() -> None:
    pins = _pins()
    problems = []
    for group, req in _requirements():
        versions = pins.get(canonicalize_name(req.name))
        if not versions:
            problems.append(f"{group}: {req} is not in {LOCK.name}")
            continue
        outside = [str(v) for v, _ in versions if not req.specifier.contains(v, prereleases=True)]
        if outside:
            problems.append(f"{group}: {req} is pinned to {outside}")
    assert not problems, "run `nox -s lock`:\n" + "\n".join(problems)


def test_each_package_has_one_version_per_python() -> None:
    """Two pins of one package must be for different Pythons or platforms, never both apply."""
    for name, versions in _pins().items():
        if len(versions) == 1:
            continue
        for py in ("3.10", "3.11", "3.12", "3.13", "3.14"):
            env = {"python_version": py, "python_full_version": f"{py}.0"}
            live = [v for v, m in versions if m is None or m.evaluate(env)]
            assert len(live) <= 1, f"{name} is pinned twice for Python {py}: {live}"


def test_the_package_itself_is_not_pinned() -> None:
    assert "gradbook" not in _pins(), "the lock must not pin the package it is for"
