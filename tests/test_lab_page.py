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

import functools
import re

import pytest

from gradbook import spec, text
from test_lab_links import LAB_PAGE, LAB_STEPS, SECTION, run_in_lab

# The lab's own numbers, read from its JavaScript as the reader's browser runs it (each is
# defined there from _static/threejs/spec.js, which tests/test_spec.py holds to gradbook.spec).
_LAB_NUMBERS = """
import { defaults } from '../labconfig.js';
import { HELD_OUT_EVERY, HELD_OUT_SIZE } from './run.js';
const numbers = { heldOutSize: HELD_OUT_SIZE, heldOutEvery: HELD_OUT_EVERY, ...defaults() };
console.log(JSON.stringify(numbers));
"""


@functools.cache
def lab() -> dict:
    return run_in_lab(_LAB_NUMBERS, "read the lab's numbers")


# Each phrase of the page that states a code constant, by what holds it, written from it.
STATED = {
    "the held-out set's size, run.js HELD_OUT_SIZE (data.HELD_OUT_SIZE)": lambda: (
        f"a fixed held-out set of {lab()['heldOutSize']:,} examples"
    ),
    "run.js HELD_OUT_EVERY (TrainConfig.record_every's default)": lambda: (
        f"measured every {lab()['heldOutEvery']:,} steps"
    ),
    "the lab's default training, which test_lab_links.py holds each link to": lambda: (
        f"trains with learning rate {lab()['lr']:g}, momentum {lab()['momentum']:g}"
        f" and batches of {lab()['batch-size']:,}, unless its sentence says otherwise"
    ),
    "test_lab_links.py LAB_STEPS, the steps it trains each link for": lambda: (
        f"what its first {LAB_STEPS:,} steps show"
    ),
    "spec.HEALTHY_UPDATE_RATIO, the healthy step chapters 4 and 5 glue": lambda: (
        f"ratio near {text.readable(spec.HEALTHY_UPDATE_RATIO)} is a practitioners' rule of thumb"
    ),
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


@pytest.mark.parametrize("holder", list(STATED))
def test_each_number_the_page_states_is_the_codes(holder):
    phrase = STATED[holder]()
    assert phrase in PROSE, f"{LAB_PAGE.name} does not say {phrase!r} ({holder})"


def test_every_number_in_the_prose_is_held_or_said_why_not():
    rest = PROSE
    for written in STATED.values():  # one the page no longer says fails the test above
        rest = rest.replace(written(), " ")
    for phrase in UNSTATED:
        assert phrase in rest, f"{LAB_PAGE.name} no longer says {phrase!r}: update UNSTATED"
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
