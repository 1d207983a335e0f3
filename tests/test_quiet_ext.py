"""docs/_ext/gradbook_quiet.py drops the build log's MyST dumps and Sphinx's "configuration has
changed" when only options extensions rewrite in place differ, and keeps every other line."""

from __future__ import annotations

import logging
import pickle
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("myst_nb")
from myst_nb.core.config import NbParserConfig
from myst_parser.config.main import MdParserConfig
from sphinx.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
import gradbook_quiet


def _record(msg, *args) -> logging.LogRecord:
    return logging.LogRecord("sphinx.x", logging.INFO, __file__, 1, msg, args, None)


@pytest.fixture
def quiet():
    gradbook_quiet.QUIET.only_in_place = False
    yield gradbook_quiet.QUIET
    gradbook_quiet.QUIET.only_in_place = False


def test_the_parser_dumps_are_dropped_and_nothing_else(quiet):
    assert not quiet.filter(_record("myst v%s: %s", "5", MdParserConfig()))
    assert not quiet.filter(_record("myst-nb v%s: %s", "1", NbParserConfig()))
    assert quiet.filter(_record("myst v%s: %s", "5", "a plain string"))
    assert quiet.filter(_record("Using jupyter-cache at: %s", "/x"))


def _last_build(tmp_path, **values) -> SimpleNamespace:
    """A fake app whose doctree folder holds a last build pickled with these config values."""
    with (tmp_path / gradbook_quiet.ENV_PICKLE).open("wb") as f:
        pickle.dump(SimpleNamespace(config=Config(values)), f)
    return SimpleNamespace(doctreedir=str(tmp_path))


CHANGED = "The configuration has changed (%d options: %s)"


def test_config_changed_in_place_only_is_dropped(tmp_path, quiet):
    app = _last_build(tmp_path, templates_path=["_templates", "/theme/components"])
    gradbook_quiet._compare_first(app, Config({"templates_path": ["_templates"]}))
    assert not quiet.filter(_record(CHANGED, 1, "'templates_path'"))
    assert quiet.filter(_record("updating environment: 0 added"))  # the next line stays


def test_a_real_edit_of_conf_py_is_still_reported(tmp_path, quiet):
    app = _last_build(tmp_path, templates_path=["_templates", "/theme"], project="Old")
    gradbook_quiet._compare_first(app, Config({"templates_path": ["_templates"]}))
    assert quiet.filter(_record(CHANGED, 2, "'project', 'templates_path'"))


def test_a_first_build_is_reported_as_sphinx_says(tmp_path, quiet):
    gradbook_quiet._compare_first(SimpleNamespace(doctreedir=str(tmp_path)), Config({}))
    assert quiet.filter(_record(CHANGED, 1, "'templates_path'"))
