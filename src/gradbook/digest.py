"""Which simulator: one digest that names results computed by this gradbook.

Trained scenarios kept between processes (scenarios.trained) and the book's executed chapters
(docs/_ext/gradbook_cache.py) are both filed under it, so an edit to any file of the package,
or another numpy, can never bring back a result of the old simulator.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

PACKAGE = Path(__file__).resolve().parent


def simulator_digest(package: Path = PACKAGE) -> str:
    """A hex digest of numpy's version and of every file of `package` (its path and bytes),
    not its compiled caches."""
    h = hashlib.sha256(f"numpy {np.__version__}\0".encode())
    for path in sorted(package.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()
