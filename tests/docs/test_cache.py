"""No stale chapters: an edit to the simulator runs every chapter again, an unchanged rebuild
runs none (docs/_ext/gradbook_cache.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from bookbuild import DOCS, Build, build_book, copy_simulator

sys.path.insert(0, str(DOCS / "_ext"))
from gradbook_cache import DIGEST_CHARS, simulator_digest

CHAPTERS = sorted(p.stem for p in (DOCS / "chapters").glob("*.md"))


def test_digest_follows_the_files_and_ignores_compiled_caches(tmp_path: Path) -> None:
    package = copy_simulator(tmp_path) / "gradbook"
    before = simulator_digest(package)
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "text.cpython-311.pyc").write_bytes(b"compiled")
    assert simulator_digest(package) == before
    module = package / "text.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert simulator_digest(package) != before
    module.rename(package / "text_renamed.py")
    assert simulator_digest(package) != before


def test_chapters_and_trained_scenarios_are_filed_under_one_digest(monkeypatch) -> None:
    from gradbook import digest, scenarios

    assert simulator_digest() == digest.simulator_digest()[:DIGEST_CHARS]
    # Another numpy is another simulator, for the chapters and the trained scenarios alike.
    monkeypatch.setenv(scenarios.CACHE_ENV, "/cache")
    scenario = scenarios.get("chain")
    scenarios._simulator_digest.cache_clear()
    before = (simulator_digest(), scenarios._cache_file(scenario))
    monkeypatch.setattr(digest.np, "__version__", "0.0.0")
    scenarios._simulator_digest.cache_clear()
    try:
        after = (simulator_digest(), scenarios._cache_file(scenario))
    finally:
        scenarios._simulator_digest.cache_clear()
    assert after[0] != before[0]
    assert after[1] != before[1]


@pytest.mark.docs
def test_a_simulator_edit_runs_every_chapter_again(rebuilt_book: Build, tmp_path: Path) -> None:
    """Starts from a built book (its jupyter cache full) and the simulator it was built with."""
    assert rebuilt_book.returncode == 0, rebuilt_book.log
    out = tmp_path / "book"
    shutil.copytree(rebuilt_book.out, out)
    src = copy_simulator(tmp_path / "src")
    env = {"PYTHONPATH": str(src)}

    unchanged = build_book(out, env)
    assert unchanged.returncode == 0, unchanged.log
    assert unchanged.executed() == [], "an unchanged rebuild ran chapters again"

    module = src / "gradbook" / "text.py"
    module.write_text(module.read_text(encoding="utf-8") + "\nEDITED = True\n", encoding="utf-8")
    edited = build_book(out, env)
    assert edited.returncode == 0, edited.log
    assert edited.executed() == CHAPTERS, "after a simulator edit, every chapter must run again"

    again = build_book(out, env)
    assert again.returncode == 0, again.log
    assert again.executed() == [], "the rebuild after the edited build ran chapters again"
    # The current simulator's cache and the previous one are kept, no more.
    assert len(list((out / ".jupyter_cache").iterdir())) == 2
    print(
        f"warm rebuild {unchanged.seconds:.1f} s; after a simulator edit {edited.seconds:.1f} s; "
        f"warm again {again.seconds:.1f} s"
    )
