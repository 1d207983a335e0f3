"""The {view} role's check of a view link (docs/_ext/gradbook_viewlink.py), without a build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
from gradbook_viewlink import view_error


@pytest.mark.parametrize(
    "target",
    [
        "scenario=sigmoid-vanishing&step=199&layer=1",
        "scenario=residual",
        "step=0",
        "scenario=rnn-exploding&layer=40&scene=2",
    ],
)
def test_views_the_scene_reads_pass(target):
    assert view_error(target) is None


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("scenario=no-such-net", "names no scenario"),
        ("scenario=residual&colour=red", "unknown key 'colour'"),
        ("step=last", "whole number"),
        ("layer=0", "counts from 1"),
        ("scenario", "cannot read"),
    ],
)
def test_views_the_scene_cannot_read_fail_with_the_reason(target, says):
    assert says in view_error(target)
