"""No stale chapters: an edit to the simulator runs every chapter again, an unchanged rebuild
runs none (docs/_ext/gradbook_cache.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from bookbuild import DOCS, Build, build_book, copy_simulator

sys.path.insert(0, str(DOCS / "_ext"))
from gradbook_cache import simulator_digest

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
