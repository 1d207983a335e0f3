"""The {gradbook-scene} directive (docs/_ext/gradbook_scene.py) writes, byte for byte, the scene
container the chapters wrote by hand, and the converter rewrites hand-written blocks into it."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import gradbook_scene  # noqa: E402
import gradbook_scene_convert  # noqa: E402

# Two of the blocks as the chapters wrote them by hand (chapter 1; chapter 6's side-by-side one).
ONE_FIGURE = (
    '<div class="gradbook-scene" role="region" data-payload="#gradbook-payload-ch1" '
    'data-scenario="tanh-xavier" data-fallback="#fallback-ch1" '
    'aria-label="Gradient-flow scene: a healthy 12-layer tanh network">\n'
    '  <noscript><p class="gradbook-scene-message">The interactive scene needs JavaScript. '
    '<a href="#fallback-ch1">The figure above</a> shows the same data.</p></noscript>\n'
    "</div>"
)
COMPARED = (
    '<div class="gradbook-scene" role="region" data-payload="#gradbook-payload-ch6" '
    'data-scenario="residual" data-compare="residual,residual-batchnorm" '
    'data-fallback="#fallback-ch6" aria-label="Gradient-flow scene: residual blocks without '
    'batch norm and with it, side by side">\n'
    '  <noscript><p class="gradbook-scene-message">The interactive scene needs JavaScript. '
    '<a href="#fallback-ch6">The figures above</a> show the same data.</p></noscript>\n'
    "</div>"
)


def test_the_directive_writes_the_hand_written_blocks_byte_for_byte():
    assert (
        gradbook_scene.scene_html(
            scenario="tanh-xavier",
            payload="gradbook-payload-ch1",
            fallback="fallback-ch1",
            label="a healthy 12-layer tanh network",
        )
        == ONE_FIGURE
    )
    assert (
        gradbook_scene.scene_html(
            scenario="residual",
            compare="residual,residual-batchnorm",
            payload="gradbook-payload-ch6",
            fallback="fallback-ch6",
            label="residual blocks without batch norm and with it, side by side",
            figures=2,
        )
        == COMPARED
    )


def _raw_scene_blocks(text: str) -> list[str]:
    return re.findall(r"```\{raw\} html\n(<div class=\"gradbook-scene\".*?)\n```", text, re.S)


@pytest.mark.parametrize("html", [ONE_FIGURE, COMPARED])
def test_options_read_back_from_a_block_write_it_again(html):
    options = gradbook_scene.scene_options(html)
    assert options is not None
    typed = {k: int(v) if k == "figures" else v for k, v in options.items()}
    assert gradbook_scene.scene_html(**typed) == html


def test_every_hand_written_block_still_in_the_chapters_is_one_the_directive_writes():
    blocks = [
        b for p in sorted((ROOT / "docs" / "chapters").glob("*.md"))
        for b in _raw_scene_blocks(p.read_text(encoding="utf-8"))
    ]  # fmt: skip
    for block in blocks:  # none once the chapters use the directive
        assert gradbook_scene.scene_options(block) is not None, block


def test_a_block_the_directive_cannot_write_is_not_read_as_one():
    assert gradbook_scene.scene_options(ONE_FIGURE.replace("shows the same", "shows")) is None
    assert gradbook_scene.scene_options(ONE_FIGURE.replace(' role="region"', "")) is None
    assert gradbook_scene.scene_options("<p>no scene</p>") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"payload": "#p"}, "payload must be an element id"),
        ({"fallback": "fig 1"}, "fallback must be an element id"),
        ({"scenario": "Tanh Xavier"}, "scenario names are lower-case"),
        ({"compare": "residual, skip"}, "scenario names are lower-case"),
        ({"label": " "}, "label must say what the scene shows"),
        ({"figures": 0}, "figures must be 1 or more"),
    ],
)
def test_bad_options_get_one_clear_error(change, message):
    options = {"scenario": "relu", "payload": "p", "fallback": "f", "label": "x", **change}
    with pytest.raises(gradbook_scene.SceneError, match=message):
        gradbook_scene.scene_html(**options)


def test_attribute_values_are_escaped_and_read_back():
    html = gradbook_scene.scene_html(
        scenario="relu", payload="p", fallback="f", label='the "plain" & <odd> one\'s'
    )
    assert (
        'aria-label="Gradient-flow scene: the &quot;plain&quot; &amp; &lt;odd&gt; one\'s"' in html
    )
    label = gradbook_scene.scene_attributes(html)["aria-label"]
    assert label == 'Gradient-flow scene: the "plain" & <odd> one\'s'


CHAPTER = textwrap.dedent(
    """\
    # A chapter

    Some prose.

    ```{raw} html
    %s
    ```

    ```{raw} html
    <p class="other">Another raw block stays.</p>
    ```

    ````{raw} html
    %s
    ````

    ```{raw} html
    %s
    ```
    """
) % (ONE_FIGURE, COMPARED, ONE_FIGURE.replace("The figure above", "This figure"))


def test_the_converter_rewrites_exact_blocks_and_leaves_the_rest():
    text, left = gradbook_scene_convert.convert(CHAPTER)
    assert left == [21]  # the block whose message the directive does not write
    assert text.count("{gradbook-scene}") == 2
    assert (
        "```{gradbook-scene}\n:scenario: tanh-xavier\n:payload: gradbook-payload-ch1\n"
        ":fallback: fallback-ch1\n:label: a healthy 12-layer tanh network\n```\n"
    ) in text
    assert (
        "````{gradbook-scene}\n:scenario: residual\n:compare: residual,residual-batchnorm\n"
        ":payload: gradbook-payload-ch6\n:fallback: fallback-ch6\n"
        ":label: residual blocks without batch norm and with it, side by side\n:figures: 2\n````\n"
    ) in text
    assert '<p class="other">Another raw block stays.</p>' in text
    assert text.startswith("# A chapter\n\nSome prose.\n\n")
    # Once converted, a second run changes nothing (the two directives are 1 and 3 lines
    # longer than the blocks they replaced, so the block left alone is 4 lines further down).
    assert gradbook_scene_convert.convert(text) == (text, [21 + 4])


def test_the_directive_in_a_sphinx_build_writes_what_the_raw_block_wrote(tmp_path):
    sphinx = pytest.importorskip("sphinx.application")
    pytest.importorskip("myst_parser")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'docs' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'gradbook_scene']\n",
        encoding="utf-8",
    )
    (src / "index.md").write_text(
        "# Raw\n\n```{toctree}\ndirective\n```\n\n```{raw} html\n" + COMPARED + "\n```\n",
        encoding="utf-8",
    )
    converted, _ = gradbook_scene_convert.convert(
        "# Directive\n\n```{raw} html\n" + COMPARED + "\n```\n"
    )
    (src / "directive.md").write_text(converted, encoding="utf-8")
    app = sphinx.Sphinx(
        str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
        status=None, warning=None, warningiserror=True,
    )  # fmt: skip
    app.build()
    pages = [
        (tmp_path / "out" / f"{n}.html").read_text(encoding="utf-8") for n in ("index", "directive")
    ]
    scenes = [re.findall(r'<div class="gradbook-scene".*?</div>', p, re.S) for p in pages]
    assert scenes[0] == scenes[1] == [COMPARED]
