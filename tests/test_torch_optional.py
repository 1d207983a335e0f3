"""PyTorch stays optional: `import gradbook`, every module but gradbook.torch, the command line
and the book's build never import it. Checked in a fresh interpreter (this one may have loaded
PyTorch for other tests), and without PyTorch installed or not."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Imports all of gradbook except gradbook.torch (and __main__, which runs the CLI on import),
# the book's Sphinx extensions, and runs the CLI and a chapter's kind of work; then says which
# PyTorch modules got loaded.
PROBE = """
import contextlib, importlib, io, pkgutil, sys
sys.path.insert(0, {ext!r})
import gradbook
for m in pkgutil.iter_modules(gradbook.__path__):
    if m.name not in ("torch", "__main__"):
        importlib.import_module("gradbook." + m.name)
from gradbook import cli, export, plots, runfile, scenarios
with contextlib.redirect_stdout(io.StringIO()):
    cli.main(["trace", "--depth", "3", "--json"])
export.build_payload(["chain"])
runfile.load({fixture!r})
for name in {extensions!r}:
    importlib.import_module(name)
print(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")))
"""


def test_gradbook_the_cli_and_the_books_extensions_never_import_torch():
    ext = ROOT / "docs" / "_ext"
    extensions = sorted(p.stem for p in ext.glob("*.py"))
    fixture = str(ROOT / "tests" / "js" / "fixtures" / "run-small.json")
    code = PROBE.format(ext=str(ext), fixture=fixture, extensions=extensions)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"PyTorch was imported: {done.stdout}"


def test_no_chapter_cell_imports_torch():
    # The chapters' executed cells ({code-cell}) run at build; PyTorch appears only in plain
    # ```python fences, which the build shows and `nox -s snippets` runs.
    cell = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
    pages = sorted((ROOT / "docs").rglob("*.md"))
    assert pages
    found = [
        f"{page.relative_to(ROOT)}: {line.strip()}"
        for page in pages
        for block in cell.findall(page.read_text(encoding="utf-8"))
        for line in block.splitlines()
        if re.search(r"\bimport torch\b|\bfrom torch\b|gradbook\.torch|gradbook import torch", line)
    ]
    assert found == []


def test_without_pytorch_gradbook_torch_says_how_to_install_it():
    # `sys.modules["torch"] = None` makes `import torch` fail as it does where PyTorch is not
    # installed: one ImportError that names the extra, not a bare "No module named 'torch'".
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "try:\n"
        "    import gradbook.torch\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ImportError"), done.stdout
    assert "PyTorch is not installed" in done.stdout
    assert 'pip install "gradbook[torch]"' in done.stdout
