"""Two lines every build printed that said nothing about the build.

- MyST and MyST-NB log their whole parser configuration (two objects of some 80 fields) on
  every build, at the level of Sphinx's progress messages; neither has an option to stop it.
- "The configuration has changed (8 options: 'html_css_files', ...)" on every rebuild, with
  conf.py untouched. Sphinx compares conf.py's values with those the last build pickled, but
  extensions change some values in place after that comparison (in builder-inited): Sphinx's
  HTML builder gives each entry of html_css_files and html_js_files a priority, sphinx-design
  appends its folder to html_static_path, the two themes append theirs to templates_path and
  fill in html_theme_options, html_permalinks_icon and html_sourcelink_suffix, and MyST writes
  mathjax4_config. The pickled values are those, so every build finds them "changed". None of
  them makes Sphinx read a page again (the next line still says "updating environment: 0
  added, 0 changed"). Before Sphinx compares, this extension compares the same two configs
  itself; when every option that differs is one of those, Sphinx's message is dropped, and
  when any other option differs (a real edit of conf.py) it stays whole.
"""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

try:  # how Sphinx itself compares config values (sets and dicts in a fixed order)
    from sphinx.util._serialise import stable_str as _stable
except ImportError:  # a Sphinx without it compares differently: repr only errs towards showing
    _stable = repr

# The options changed in place by Sphinx, sphinx-design, the themes and MyST (see above).
CHANGED_IN_PLACE = frozenset(
    {
        "html_css_files",
        "html_js_files",
        "html_permalinks_icon",
        "html_sourcelink_suffix",
        "html_static_path",
        "html_theme_options",
        "mathjax3_config",  # Sphinx 8's (the lock's Sphinx on Python 3.10)
        "mathjax4_config",
        "templates_path",
    }
)
CONFIG_CHANGED = "The configuration has changed"
ENV_PICKLE = "environment.pickle"  # sphinx.application.ENV_PICKLE_FILENAME
# Sphinx's logger names are "sphinx." + the module's name.
PARSER_LOGGERS = ("sphinx.myst_parser.sphinx_ext.main", "sphinx.myst_nb.sphinx_ext")
ENVIRONMENT_LOGGER = "sphinx.sphinx.environment"


def changed_options(old: Config, new: Config) -> set[str]:
    """The options whose values differ between two configs, as Sphinx finds them."""
    old_values = {item.name: item.value for item in old}
    new_values = {item.name: item.value for item in new}
    return {
        name
        for name in old_values.keys() | new_values.keys()
        if name not in old_values
        or name not in new_values
        or _stable(old_values[name]) != _stable(new_values[name])
    }


class _Quiet(logging.Filter):
    """Drops the two parser dumps and, when `only_in_place` is set, Sphinx's message."""

    only_in_place = False

    def filter(self, record: logging.LogRecord) -> bool:
        from myst_nb.core.config import NbParserConfig
        from myst_parser.config.main import MdParserConfig

        args = record.args if isinstance(record.args, tuple) else ()
        if any(isinstance(a, (MdParserConfig, NbParserConfig)) for a in args):
            return False
        return not (self.only_in_place and str(record.msg).startswith(CONFIG_CHANGED))


QUIET = _Quiet()


def _compare_first(app: Sphinx, config: Config) -> None:
    """Find, as Sphinx is about to, which options differ from the last build's."""
    QUIET.only_in_place = False
    try:
        with (Path(app.doctreedir) / ENV_PICKLE).open("rb") as f:
            old = pickle.load(f).config
    except Exception:  # no last build, or one Sphinx will not read either: say nothing
        return
    changed = changed_options(old, config)
    QUIET.only_in_place = bool(changed) and changed <= CHANGED_IN_PLACE


def setup(app: Sphinx) -> dict:
    # A filter on each logger that emits these records: Sphinx's handlers and every other
    # message stay as they are.
    for name in (*PARSER_LOGGERS, ENVIRONMENT_LOGGER):
        logger = logging.getLogger(name)
        if QUIET not in logger.filters:
            logger.addFilter(QUIET)
    # After every extension's own config-inited handlers: the values Sphinx will compare.
    app.connect("config-inited", _compare_first, priority=999)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
