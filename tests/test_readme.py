"""What README.md tells a new user to type works: its Python examples run, the gradbook names
it writes in its prose exist, and what it says about the book's training is the scenarios' and
about the lab's links what tests/test_lab_links.py trains them for."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import matplotlib
import pytest

from gradbook import scenarios
from test_lab_links import LAB_STEPS

matplotlib.use("Agg")  # the examples draw figures; no display here

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
# A block that needs PyTorch, which is no dependency of gradbook: run where it is installed.
NEEDS_TORCH = re.compile(r"^\s*(import torch\b|from torch\b)", re.MULTILINE)


def _blocks() -> list[tuple[int, str]]:
    """Each ```python block with the line of README.md it starts on."""
    return [(TEXT.count("\n", 0, m.start()) + 1, m.group(1)) for m in PYTHON_BLOCK.finditer(TEXT)]


def test_every_python_block_is_found():
    # A block the pattern missed (another fence, a trailing space) would never run, and the
    # test below would pass without it.
    assert 0 < len(_blocks()) == TEXT.count("```python")


@pytest.fixture(scope="module")
def readme_folder(tmp_path_factory):
    """One folder for all the README's examples, run in order: a later block reads what an
    earlier one wrote (the recorded run.json), as a reader following the README would."""
    return tmp_path_factory.mktemp("readme")


@pytest.mark.parametrize(("line", "code"), _blocks(), ids=[f"line {n}" for n, _ in _blocks()])
def test_each_python_example_runs(line, code, readme_folder, monkeypatch):
    torch_missing = importlib.util.find_spec("torch") is None
    if NEEDS_TORCH.search(code) and torch_missing:
        pytest.skip(f"README.md line {line} needs PyTorch, which is not installed")
    if torch_missing and "run.json" in code and not (readme_folder / "run.json").exists():
        pytest.skip(f"README.md line {line} reads the run that the PyTorch example records")
    monkeypatch.chdir(readme_folder)  # where the examples write their files
    import matplotlib.pyplot as plt

    try:
        exec(compile(code, f"README.md, the block on line {line}", "exec"), {"__name__": "readme"})
    finally:
        plt.close("all")


# `scenarios.get(...)`, `gradbook.plots`, `model.trace()`: a dotted name in an inline code span.
FILE_SUFFIXES = {"js", "mjs", "py", "json", "md", "css", "html", "toml", "txt", "yaml"}
DOTTED = re.compile(r"`(?:help\()?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)")


def _gradbook_names() -> list[str]:
    """Dotted names in the README's prose that start at gradbook or one of its modules."""
    prose = PYTHON_BLOCK.sub("", TEXT)
    names = []
    for name in dict.fromkeys(DOTTED.findall(prose)):
        if name.rsplit(".", 1)[-1] in FILE_SUFFIXES:  # a file such as `spec.js`, not a name
            continue
        root = name.split(".")[0]
        if root == "gradbook" or importlib.util.find_spec(f"gradbook.{root}") is not None:
            names.append(name)
    return names


def test_the_readme_names_gradbook_functions_in_its_prose():
    assert {"scenarios.get", "scenarios.trained"} <= set(_gradbook_names())


@pytest.mark.parametrize("name", _gradbook_names())
def test_each_gradbook_name_in_the_prose_exists(name):
    root, *attributes = name.split(".")
    if root != "gradbook":
        attributes = [root, *attributes]
    obj = importlib.import_module("gradbook")
    for i, attribute in enumerate(attributes):
        try:
            obj = getattr(obj, attribute)
        except AttributeError:
            try:  # a module gradbook loads only on first use
                obj = importlib.import_module(f"gradbook.{'.'.join(attributes[: i + 1])}")
            except ImportError:
                pytest.fail(f"README.md names {name}, which gradbook does not have")


def test_the_readme_states_each_training_the_scenarios_use():
    # The README once said every network trains with lr 0.05 for 1,000 steps, which the
    # recurrent nets do not: every training configuration in use must be stated, whole.
    prose = " ".join(TEXT.split())
    for training in {s.training for s in scenarios.SCENARIOS.values()}:
        stated = f"lr {training.lr:g}"
        if training.momentum:
            stated += f", momentum {training.momentum:g}"
        stated += f", batches of {training.batch_size}, {training.steps:,} steps"
        assert stated in prose, f"README.md does not say: {stated}"
        if training.clip_norm is not None:
            clipped = f"norm clipped to {training.clip_norm:g}"
            assert clipped in prose, f"README.md does not say: {clipped}"


def test_the_readme_says_how_long_the_lab_links_train():
    # The steps test_lab_links.py trains each "Networks to try" link for, which docs/lab.md
    # promises (tests/test_lab_page.py holds the page): the README restates them.
    stated = f"{LAB_STEPS:,} steps the page promises"
    assert stated in " ".join(TEXT.split()), f"README.md does not say: {stated}"
