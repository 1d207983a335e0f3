"""The numbers docs/lab.md types in its prose are the code's.

The lab's page is plain MyST, not executed, so it cannot glue its numbers as the chapters do.
Instead each number it restates is written here from the constant that owns it, in a phrase
that must stand in the page as written: change the constant and this test names the sentence
to change. And every other number in the page's prose must be listed here with the reason it
is no code constant, so that a new number typed into the page cannot go unchecked.

The sentences of the "Networks to try" list, one per link, are tests/test_lab_links.py's: it
trains each link and measures what its sentence says. Code blocks and link addresses are not
prose.
"""

from __future__ import annotations

import re

import pytest

from gradbook import plots, spec, text
from test_lab_links import LAB_PAGE, LAB_STEPS, SECTION

SPEC = spec.build()  # what the lab reads, as _static/threejs/spec.js (tests/test_spec.py)
LAB_DEFAULTS = {key: setting["default"] for key, setting in SPEC["lab"]["keys"].items()}

# Each phrase of the page that states a code constant, written from that constant: what holds it.
STATED = {
    f"a fixed held-out set of {SPEC['heldOut']['size']:,} examples": (
        "the held-out set's size, data.HELD_OUT_SIZE (engine/data.js HELD_OUT_SIZE)"
    ),
    f"measured every {SPEC['defaults']['train']['record_every']:,} steps": (
        "lab/run.js HELD_OUT_EVERY, TrainConfig.record_every's default"
    ),
    (
        f"trains with learning rate {LAB_DEFAULTS['lr']:g}, momentum {LAB_DEFAULTS['momentum']:g}"
        f" and batches of {LAB_DEFAULTS['batch-size']:,}, unless its sentence says otherwise"
    ): "the lab's default training (spec.py _lab); test_lab_links.py holds each link to it",
    f"what its first {LAB_STEPS:,} steps show": (
        "tests/test_lab_links.py LAB_STEPS, the steps it trains each link for"
    ),
    (
        f"ratio near {text.readable(plots.HEALTHY_UPDATE_RATIO)} is a practitioners' rule of thumb"
    ): "plots.HEALTHY_UPDATE_RATIO, the healthy step chapter 4 glues",
}
# Phrases with a number that no code constant owns: why not.
UNSTATED = {
    "whose slope is 0 for every example": (
        "the definition of a dead unit (LayerTrace.dead: a slope of exactly 0), not a setting"
    ),
}

FRONT_MATTER = re.compile(r"\A---\n.*?^---\n", re.S | re.M)
FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.S | re.M)  # code and directive blocks
TAG = re.compile(r"<[^>]+>")  # an HTML tag; a link's text stays, its address goes
LIST_ITEM = re.compile(r"^- .*(?:\n[ \t]+\S.*)*", re.M)  # a bullet and its indented lines
NUMBER = re.compile(r"\S*[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]\S*")  # a word with a digit, "10⁻³" as well


def page_prose(source: str) -> str:
    """The page's prose on one line, without the link sentences that test_lab_links.py holds."""
    source = FENCED.sub("", FRONT_MATTER.sub("", source))
    parts = re.split(r"^(?=## )", source, flags=re.M)
    for i, part in enumerate(parts):
        if part.startswith(SECTION):
            parts[i] = LIST_ITEM.sub("", part)
    return " ".join(TAG.sub("", "".join(parts)).split())


PROSE = page_prose(LAB_PAGE.read_text(encoding="utf-8"))


def test_the_prose_is_read_whole_and_without_the_link_sentences():
    # A pattern that swallowed the page (an unclosed fence) would leave nothing to check; one
    # that kept the links' list would check test_lab_links.py's sentences twice.
    assert PROSE.startswith("# The gradient lab Build a network")
    assert "## Watch your own network" in PROSE and PROSE.endswith("for its name and numbers.")
    assert "A 20-layer sigmoid network" not in PROSE and "href" not in PROSE
    assert "optimizer.step()" not in PROSE  # the code block is gone


@pytest.mark.parametrize("phrase", list(STATED), ids=list(STATED.values()))
def test_each_number_the_page_states_is_the_codes(phrase):
    assert phrase in PROSE, f"{LAB_PAGE.name} does not say {phrase!r} ({STATED[phrase]})"


def test_every_number_in_the_prose_is_held_or_said_why_not():
    rest = PROSE
    for phrase in [*STATED, *UNSTATED]:
        assert phrase in rest, f"{LAB_PAGE.name} no longer says {phrase!r}: update this test"
        rest = rest.replace(phrase, " ")
    unheld = [m.group() for m in NUMBER.finditer(rest)]
    assert not unheld, (
        f"{LAB_PAGE.name} types numbers no test holds: {unheld}. Write each from the constant "
        "it restates in STATED, or say in UNSTATED why it is none"
    )


def test_the_number_finder_finds_what_the_page_writes():
    # Digits, thousands, decimals and a power of ten in the page's style: all found.
    found = NUMBER.findall("batches of 64, 1,500 steps, rate 0.05, near 10⁻³ and 2.")
    assert found == ["64,", "1,500", "0.05,", "10⁻³", "2."]
