"""Run every PyTorch snippet in the book's chapters, each as its own script.

The chapters show a few lines of PyTorch beside each diagnostic and fix, in plain ```python
fences (the executed cells are ``{code-cell}`` blocks, so they never mix). PyTorch is not a
dependency of the book, so the build does not run them; `nox -s snippets` installs PyTorch and
runs this file, which fails if any snippet fails. Usage: python tests/snippets.py [CHAPTER ...]

With no chapters named it also runs every script in docs/examples/ (gradbook.torch's example), each
in a scratch folder, since they write files.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parent.parent / "docs" / "chapters"
EXAMPLES = CHAPTERS.parent / "examples"
_FENCE = re.compile(r"^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def snippets(path: Path) -> list[tuple[int, str]]:
    """The ```python blocks of a chapter, with the line each starts on."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m["code"]) for m in _FENCE.finditer(text)]


def run(path: Path, line: int, code: str) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "snippet.py"
        script.write_text(code, encoding="utf-8")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp
        )
    where = f"{path.name}:{line}"
    took = time.perf_counter() - start
    if done.returncode != 0:
        print(f"FAIL {where} ({took:.1f} s)\n{done.stdout}{done.stderr}")
        return False
    print(f"ok   {where} ({took:.1f} s)")
    for out in done.stdout.strip().splitlines():
        print(f"     | {out}")
    return True


def main(names: list[str]) -> int:
    paths = [CHAPTERS / n for n in names] if names else sorted(CHAPTERS.glob("*.md"))
    found = [(p, line, code) for p in paths for line, code in snippets(p)]
    if not names:
        found += [(p, 1, p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.py"))]
    if not found:
        print("no ```python snippets found in", ", ".join(str(p) for p in paths))
        return 1
    results = [run(p, line, code) for p, line, code in found]
    print(f"{sum(results)} of {len(results)} snippets ran")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
