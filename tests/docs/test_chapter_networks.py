"""Chapters build their networks from the named scenarios, and every view link points at a
scenario and a training step that the page's own scene payload holds."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs

import pytest

from bookbuild import DOCS, Build
from gradbook import scenarios

CHAPTER_FILES = sorted((DOCS / "chapters").glob("*.md"))
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?P<code>.*?)^```", re.MULTILINE | re.DOTALL)
# Building a network or a training configuration by hand retypes what a scenario holds.
RETYPED = re.compile(r"\b(MLP|RNN|MLPConfig|RNNConfig|TrainConfig)\(")
SCENARIO_USE = re.compile(r"scenarios\.(?:get|trained)\(\s*\"(?P<id>[^\"]+)\"")
VIEW_LINK = re.compile(r"\{view\}`[^`<]*<(?P<query>scenario=[^>]+)>`")
PAYLOAD = re.compile(
    r'<script type="application/json" id="(?P<id>[^"]+)">(?P<body>.*?)</script>', re.DOTALL
)


def code_of(path):
    return "\n".join(m["code"] for m in CODE_CELL.finditer(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_chapter_builds_no_network_by_hand(path):
    retyped = RETYPED.findall(code_of(path))
    assert not retyped, f"{path.name} builds {retyped} by hand: use scenarios.get(id)"
    # Training goes through a scenario's own TrainConfig (possibly replaced), never new numbers.
    for call in re.findall(r"gradbook\.train\(([^)]*\))", code_of(path)):
        assert ".training" in call, f"{path.name} trains with a retyped configuration: {call}"


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_chapter_names_only_existing_scenarios(path):
    text = path.read_text(encoding="utf-8")
    named = set(SCENARIO_USE.findall(text))
    named |= {parse_qs(q)["scenario"][0] for q in VIEW_LINK.findall(text)}
    assert named, f"{path.name} uses no scenario"
    assert named <= set(scenarios.SCENARIOS), named - set(scenarios.SCENARIOS)


@pytest.mark.docs
@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_every_view_link_is_in_the_pages_payload(book: Build, path):
    links = [parse_qs(q) for q in VIEW_LINK.findall(path.read_text(encoding="utf-8"))]
    assert len(links) >= 2, f"{path.name} has {len(links)} view links, want 2 or more"
    page = book.page(f"chapters/{path.stem}.html")
    shown = {}
    for match in PAYLOAD.finditer(page):
        payload = json.loads(html.unescape(match["body"]).replace("<\\/", "</"))
        for sc in payload["scenarios"]:
            shown[sc["id"]] = (
                {frame["step"] for frame in sc["steps"]},
                len(sc["network"]["layers"]) - 2,
            )
    for link in links:
        sid, step, layer = link["scenario"][0], int(link["step"][0]), int(link["layer"][0])
        assert sid in shown, f"{path.name}: the scene has no scenario {sid!r}"
        steps, hidden = shown[sid]
        assert step in steps, f"{path.name}: {sid} records no step {step}: {sorted(steps)}"
        assert 1 <= layer <= hidden, f"{path.name}: {sid} has no layer {layer}"
