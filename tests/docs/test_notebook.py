"""The notebooks offered for download read well in plain Jupyter: MyST turned into plain
Markdown with the glued numbers filled in, the scene's data cell gone, and byte for byte the
same in two clean builds (docs/_ext/gradbook_notebook.py and plain_markdown.py).

That they also run in an environment with only gradbook and Jupyter is `nox -s notebooks`."""

from __future__ import annotations

import json
import re
import sys
from html import unescape

import pytest

from bookbuild import DOCS, Build

sys.path.insert(0, str(DOCS / "_ext"))
from plain_markdown import Context, convert, leftover_myst

CHAPTERS = sorted(f"chapters/{p.stem}" for p in (DOCS / "chapters").glob("*.md"))
GLUED = {"loss": "0.69", "tiny": "'1.8 × 10⁻¹⁰'", "share": "0.4567"}

MYST = """\
(vanishing-label)=
# Vanishing

% a comment for the authors only
The gradient [shrinks]{.gb-vanish} to {glue:text}`tiny`, a loss of {glue:text}`loss`
and a share of {glue:text}`share:.1%`;
see {term}`saturation <saturated>` and {ref}`vanishing-label`.
Press [play](#scenario=sigmoid-vanishing&step=3) or read [the sources](https://example.org/x).
Inline code stays: `{glue:text}` is how a chapter writes it, and so does $\\frac{1}{4}$.

::::{tab-set}
:::{tab-item} sigmoid
:sync: s
Layer 1 receives {glue:text}`tiny`.
:::
:::{tab-item} ReLU
Slope 1.
:::
::::

:::{dropdown} Answer
It shrinks by a quarter per layer.
:::

::::{grid} 2
:::{grid-item-card} Fix one
Use ReLU.
:::
:::{grid-item-card} Fix two
Use residual connections.
:::
::::

```{note}
Always look at layer 1.
```

```{mystery-directive} A title
Its content survives.
```

```python
{glue:text}`untouched` inside a code block
```

```{raw} html
<div class="gradbook-scene" role="region" data-payload="#p" data-fallback="#fig"
     aria-label="Gradient-flow scene: a sigmoid network">
</div>
```
"""


@pytest.fixture
def converted() -> tuple[str, Context]:
    ctx = Context(
        glue=lambda key: _glue(key),
        link=lambda target: None,
        scene=lambda attrs: f"SCENE[{attrs['aria-label']}|{attrs.get('data-fallback')}]",
    )
    return convert(MYST, ctx), ctx


def _glue(key: str) -> str:
    from myst_nb.core.variables import format_plain_text

    name, _, spec = key.partition(":")
    return format_plain_text(GLUED[name], spec)


def test_glued_values_are_filled_in_as_myst_nb_pastes_them(converted) -> None:
    text, _ = converted
    assert "to 1.8 × 10⁻¹⁰, a loss of 0.69" in text
    assert "a share of 45.7%" in text
    assert "Layer 1 receives 1.8 × 10⁻¹⁰." in text


def test_myst_markup_becomes_plain_markdown(converted) -> None:
    text, ctx = converted
    assert leftover_myst(text) == [], text
    assert "the gradient **shrinks** to" in text.lower()
    assert "\nsee saturation and vanishing-label." in text
    assert "(vanishing-label)=" not in text and "a comment" not in text
    # Tab items become headings below the section they are in; cards keep a bold title.
    assert "## sigmoid\n\nLayer 1 receives" in text and "## ReLU\n\nSlope 1." in text
    assert "**Fix one**\n\nUse ReLU." in text and "**Fix two**" in text
    assert "<details>\n<summary>Answer</summary>\n\nIt shrinks by a quarter" in text
    assert "> **Note**\n>\n> Always look at layer 1." in text
    # A directive with no rule keeps its title and content, and is reported.
    assert "**A title**\n\nIts content survives." in text
    assert ctx.unknown == {"mystery-directive"}


def test_links_code_math_and_the_scene(converted) -> None:
    text, _ = converted
    # No scene in a notebook: a scene link without a book address is plain text.
    assert "Press play or read [the sources](https://example.org/x)." in text
    assert "Inline code stays: `{glue:text}` is how" in text and "$\\frac{1}{4}$" in text
    assert "```python\n{glue:text}`untouched` inside a code block\n```" in text
    assert "SCENE[Gradient-flow scene: a sigmoid network|#fig]" in text
    assert "<div" not in text


def test_links_into_the_book_when_its_address_is_known() -> None:
    ctx = Context(glue=str, link=lambda t: f"https://book.example/chapters/03.html{t}")
    text = convert("Press [play](#scenario=relu-he) now.", ctx)
    assert text == "Press [play](https://book.example/chapters/03.html#scenario=relu-he) now."


def test_leftover_myst_sees_what_it_is_for() -> None:
    found = leftover_myst(
        "a {glue:text}`x` b [c]{.gb-vanish}\n(label)=\n:::{note}\n:::\n```{tab-set}\n```"
    )
    assert found == [
        "{glue:text}`x`",
        "[c]{.gb-vanish}",
        "(label)=",
        ":::{note}",
        "```{tab-set}",
    ]


def _download(book: Build, name: str) -> tuple[str, dict]:
    path = book.html / "_sources" / f"{name}.ipynb"
    assert path.is_file(), f"no notebook download for {name}"
    text = path.read_text(encoding="utf-8")
    return text, json.loads(text)


def _markdown(nb: dict) -> str:
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.docs
@pytest.mark.parametrize("name", CHAPTERS)
def test_download_reads_well_in_plain_jupyter(book: Build, name: str) -> None:
    _, nb = _download(book, name)
    markdown = _markdown(nb)
    assert leftover_myst(markdown) == []
    for raw in ("{glue", ":::", "```{", "]{.", "<div"):
        assert raw not in markdown, f"{name}: {raw!r} left in the notebook's prose"
    # Every number the page shows from glue is in the notebook's prose too.
    page = book.page(f"{name}.html")
    pasted = [unescape(t) for t in re.findall(r'<span class="pasted-text">([^<]*)</span>', page)]
    missing = [t for t in pasted if t not in markdown]
    assert not missing, f"{name}: glued values missing from the notebook: {missing}"
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    html_outputs = ["".join(o.get("data", {}).get("text/html", "")) for o in outputs]
    assert not [h for h in html_outputs if "<script" in h], f"{name}: a script element output"
    assert all("scrapbook" not in o.get("metadata", {}) for o in outputs)
    if "gradbook-scene" in page:
        assert "Interactive 3D scene (" in markdown, f"{name}: nothing says where the scene is"


@pytest.mark.docs
def test_downloads_are_byte_identical_in_two_builds(book: Build, rebuilt_book: Build) -> None:
    for name in CHAPTERS:
        first, nb = _download(book, name)
        second, _ = _download(rebuilt_book, name)
        assert first == second, f"{name}.ipynb differs between two clean builds"
        ids = [c["id"] for c in nb["cells"]]
        assert len(set(ids)) == len(ids), f"{name}: cell ids repeat"


@pytest.mark.docs
def test_doctrees_are_not_published(book: Build) -> None:
    assert not (book.html / ".doctrees").exists()
    assert (book.out / "doctrees" / "environment.pickle").is_file()
