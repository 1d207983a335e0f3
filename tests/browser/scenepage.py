"""Helpers for the scene's browser tests: payload colours computed independently in Python,
opening the test page, and collecting page errors."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page

NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
TEST_PAGE = "tests/browser/pages/scene.html"


def decode(x: float | str) -> float:
    return NON_FINITE[x] if isinstance(x, str) else float(x)


def table_index(log10v: float, cs: dict) -> float:
    """The schema's formula before rounding: (log10 v - min) / (max - min) * (n - 1)."""
    return (log10v - cs["log10Min"]) / (cs["log10Max"] - cs["log10Min"]) * (len(cs["table"]) - 1)


def color_for_log10(log10v: float, cs: dict) -> str:
    """The colour the payload's scale gives a log10 magnitude, written from the schema's text."""
    if math.isnan(log10v):
        return cs["nan"]
    if log10v == math.inf:
        return cs["inf"]
    if log10v == -math.inf:
        return cs["table"][0]
    i = round(table_index(log10v, cs))
    return cs["table"][min(len(cs["table"]) - 1, max(0, i))]


def log10_magnitude(v: float) -> float:
    if math.isnan(v) or v < 0:
        return math.nan
    if v == 0:
        return -math.inf
    return math.log10(v)


def acceptable_colors(log10v: float, cs: dict) -> set[str]:
    """The expected colour; on an exact rounding tie (within float noise of x.5, where JS's and
    Python's log10 may differ in the last bit) either neighbour is accepted."""
    expected = {color_for_log10(log10v, cs)}
    if math.isfinite(log10v):
        x = table_index(log10v, cs)
        if abs(x - math.floor(x) - 0.5) < 1e-9:
            for i in (math.floor(x), math.ceil(x)):
                expected.add(cs["table"][min(len(cs["table"]) - 1, max(0, i))])
    return expected


@dataclass
class Errors:
    """Uncaught page errors and console errors seen by a page."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    # Chromium logs every HTTP error response as a console error of its own; a test that
    # requests a missing file on purpose lists that URL here.
    expected_404: tuple[str, ...] = ()

    def attach(self, page: Page) -> Errors:
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        page.on("console", self._on_console)
        return self

    def _on_console(self, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        url = msg.location.get("url", "") if msg.location else ""
        if "404" in msg.text and any(url.endswith(p) for p in self.expected_404):
            return
        self.console_errors.append(f"{msg.text} ({url})")

    def assert_none(self) -> None:
        assert self.page_errors == [], f"uncaught errors: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


def write_payload(dirpath: Path, name: str, payload: dict | str) -> str:
    text = payload if isinstance(payload, str) else json.dumps(payload, allow_nan=False)
    (dirpath / name).write_text(text, encoding="utf-8")
    return f"/_tmp/{name}"


def open_scene(
    page: Page, base: str, payload_url: str, *, wait: str = "ready", **params: str
) -> None:
    """Open the test page with a scene (or several) and wait until each has settled."""
    query = "&".join(f"{k}={v}" for k, v in {"payload": payload_url, **params}.items())
    page.goto(f"{base}/{TEST_PAGE}?{query}")
    wait_settled(page, wait)


def wait_settled(page: Page, wait: str = "ready") -> None:
    page.wait_for_function(
        """() => [...document.querySelectorAll('.gradbook-scene')].every(
            (c) => ['ready', 'fault'].includes(c.dataset.gradbookStatus))""",
        timeout=20000,
    )
    statuses = page.eval_on_selector_all(
        ".gradbook-scene", "cs => cs.map(c => c.dataset.gradbookStatus)"
    )
    if wait:
        assert set(statuses) == {wait}, statuses


def state(page: Page, i: int = 0) -> dict:
    return page.evaluate("i => window.gradbook.scenes[i].state()", i)


def finish_pulse(page: Page, i: int = 0) -> dict:
    """Play the current step's pulse at top speed and wait until it reaches the first layer."""
    page.evaluate(
        """i => { const s = window.gradbook.scenes[i];
                  s.player.speed = 4; s.play(); }""",
        i,
    )
    # Pause in the same tick that sees the pulse complete: on a busy machine a separate call
    # can arrive after autoplay has moved on to the next training step and restarted the pulse.
    page.wait_for_function(
        """i => { const s = window.gradbook.scenes[i];
                  if (!s.player.complete) return false;
                  s.pause(); return true; }""",
        arg=i,
        timeout=20000,
    )
    return state(page, i)
