"""Chapters run again when the simulator changes, and only then.

jupyter-cache keys a chapter on its code cells alone, so after an edit to src/gradbook a
rebuild would show chapters computed by the old simulator. This extension keys the cache on
the simulator as well: the jupyter cache lives in a folder named after the simulator's digest
(gradbook.digest: every file of the package the chapters import, and numpy's version, the
digest its trained scenarios are filed under too), and the same digest is a config value that
Sphinx compares with the last build's, so a changed simulator makes Sphinx read every page
again and each chapter runs afresh into the new folder. An unchanged rebuild finds the same
digest and reads nothing again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

CACHE_ROOT = ".jupyter_cache"  # beside the output folder, where myst-nb puts it by default
DIGEST_CHARS = 16


def simulator_digest(package: Path | None = None) -> str:
    """gradbook.digest's digest of the simulator, the one its trained scenarios are filed under,
    shortened to a folder name. By default of the gradbook this environment imports, which is
    the one the chapters' kernels import."""
    from gradbook import digest  # the book builds against the package it documents

    full = digest.simulator_digest() if package is None else digest.simulator_digest(package)
    return full[:DIGEST_CHARS]


def _key_cache_on_simulator(app: Sphinx, config: Config) -> None:
    if config.nb_execution_cache_path:
        return  # the maintainer chose a cache folder: leave it alone
    root = Path(app.outdir).parent / CACHE_ROOT
    current = root / config.gradbook_simulator_digest
    if (root / "global.db").is_file():  # a cache from before this key: its chapters may be stale
        shutil.rmtree(root)
    # Each cache holds every chapter's outputs (a few MB). Keep the previous simulator's too, so
    # that undoing an edit (or switching back a branch) finds its chapters ready.
    others = [d for d in root.glob("?" * DIGEST_CHARS) if d.is_dir() and d != current]
    for old in sorted(others, key=lambda d: d.stat().st_mtime)[:-1]:
        shutil.rmtree(old)
    config.nb_execution_cache_path = str(current)
    logger.info("simulator %s: jupyter cache in %s", config.gradbook_simulator_digest, current)


def setup(app: Sphinx) -> dict[str, bool]:
    # Registered with rebuild="env": a different digest from the last build's rereads every page.
    app.add_config_value("gradbook_simulator_digest", simulator_digest(), "env")
    app.connect("config-inited", _key_cache_on_simulator)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
