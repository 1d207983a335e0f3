"""Run every PyTorch snippet in the book's chapters, each as its own script.

The chapters show a few lines of PyTorch beside each diagnostic and fix, in plain ```python
fences (the executed cells are ``{code-cell}`` blocks, so they never mix). PyTorch is not a
dependency of the book, so the build does not run them; `nox -s snippets` installs PyTorch and
runs this file, which fails if any snippet fails.

A snippet whose ```python fence is followed (within a short paragraph) by a ```text fence shows
its output there: the run then also fails when what PyTorch prints no longer matches what the
book shows, line for line, with the same words and every number within one power of ten (the
snippets are seeded; one decade of slack absorbs a different CPU's last digits, not a changed
story). Usage: python tests/snippets.py [CHAPTER ...]

With no chapters named it also runs every script in docs/examples/ (gradbook.torch's example), each
in a scratch folder, since they write files.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parent.parent / "docs" / "chapters"
EXAMPLES = CHAPTERS.parent / "examples"
_FENCE = re.compile(r"^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
# The output a snippet shows: a ```text fence after it, with at most a few lines of prose between.
_SHOWN = re.compile(
    r"\n(?:(?!```)[^\n]*\n){0,4}?```text[ \t]*\n(?P<out>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL
)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def snippets(path: Path) -> list[tuple[int, str]]:
    """The ```python blocks of a chapter, with the line each starts on."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m["code"]) for m in _FENCE.finditer(text)]


def shown_outputs(path: Path) -> dict[int, str]:
    """The output the chapter shows for each snippet that shows one, by the snippet's line."""
    text = path.read_text(encoding="utf-8")
    shown = {}
    for m in _FENCE.finditer(text):
        after = _SHOWN.match(text, m.end())
        if after:
            shown[text.count("\n", 0, m.start()) + 1] = after["out"]
    return shown


def mismatches(printed: str, shown: str) -> list[str]:
    """How `printed` differs from `shown`: a line's words, or a number off by a decade or more."""
    got, want = printed.strip().splitlines(), shown.strip().splitlines()
    if len(got) != len(want):
        return [f"{len(got)} lines printed, {len(want)} shown"]
    found = []
    for g, w in zip(got, want, strict=True):
        if _NUMBER.sub("#", g).split() != _NUMBER.sub("#", w).split():
            found.append(f"printed {g!r}, shown {w!r}")
            continue
        for a, b in zip(
            map(float, _NUMBER.findall(g)), map(float, _NUMBER.findall(w)), strict=True
        ):
            same_sign = (a > 0) == (b > 0) and (a == 0) == (b == 0)
            if not same_sign or (a and abs(math.log10(abs(a)) - math.log10(abs(b))) >= 1):
                found.append(f"printed {g!r}, shown {w!r}: {a:g} is not within a decade of {b:g}")
    return found


def run(path: Path, line: int, code: str, shown: str | None = None) -> bool:
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
    wrong = mismatches(done.stdout, shown) if shown is not None else []
    print(f"{'FAIL' if wrong else 'ok  '} {where} ({took:.1f} s)")
    for out in done.stdout.strip().splitlines():
        print(f"     | {out}")
    for problem in wrong:
        print(f"     the chapter shows other output: {problem}")
    if shown is not None and not wrong:
        print("     and it matches the output the chapter shows")
    return not wrong


def main(names: list[str]) -> int:
    paths = [CHAPTERS / n for n in names] if names else sorted(CHAPTERS.glob("*.md"))
    found = [(p, line, code) for p in paths for line, code in snippets(p)]
    shown = {p: shown_outputs(p) for p in paths}
    if not names:
        found += [(p, 1, p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.py"))]
    if not found:
        print("no ```python snippets found in", ", ".join(str(p) for p in paths))
        return 1
    results = [run(p, line, code, shown.get(p, {}).get(line)) for p, line, code in found]
    print(f"{sum(results)} of {len(results)} snippets ran")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
