"""Each executed chapter offered for download as a notebook that reads well in plain Jupyter.

myst-nb writes the executed notebook (docs/_build/jupyter_execute); its markdown cells hold the
chapter's MyST as written, which Jupyter shows literally, and its cells carry random ids. The
notebook put beside the page for the theme's .ipynb button is rewritten from it:

- markdown cells in plain Markdown (plain_markdown.py), with every glued number filled in;
- the scene: the cell that emits its data (a 45 KB script element that shows nothing outside
  the book) is dropped, and the scene's block becomes a line saying where the interactive
  scene is (the book's page, linked when the book's address is known) and that the figure
  above shows the same data;
- glue's hidden outputs dropped, if any are left (they show nothing in Jupyter; re-run there,
  book.glue just returns its text);
- each figure's caption, which the page shows under it, in a line under the figure's cell;
- cell ids numbered in order and execution timestamps dropped, so two builds of the same
  commit give byte-identical notebooks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text
from plain_markdown import Context, convert, leftover_myst
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

PAYLOAD_MARK = 'id="gradbook-payload'  # export.payload_html's script element


def glued_values(executed: Path) -> dict[str, dict]:
    """Every glued name -> its mime bundle: myst-nb takes glue's outputs out of the executed
    notebook and writes them beside it, as <page>.glue.json."""
    path = executed.with_suffix(".glue.json")
    if not path.is_file():
        return {}
    return {name: out["data"] for name, out in json.loads(path.read_text("utf-8")).items()}


def _is_glue(output: dict) -> bool:
    return "scrapbook" in output.get("metadata", {})


def _is_scene_data(cell: nbformat.NotebookNode) -> bool:
    """A code cell whose output is a scene's payload element."""
    for output in cell.get("outputs", []):
        html = output.get("data", {}).get("text/html", "")
        if PAYLOAD_MARK in ("".join(html) if isinstance(html, list) else html):
            return True
    return False


def book_address(app: Sphinx) -> str:
    """Where the book is published, if known: html_baseurl, or the address Read the Docs gives."""
    base = app.config.html_baseurl or os.environ.get("READTHEDOCS_CANONICAL_URL", "")
    return base.rstrip("/")


def reader_notebook(
    nb: nbformat.NotebookNode, glued: dict[str, dict], pagename: str, base: str
) -> tuple[nbformat.NotebookNode, set[str]]:
    """The download: (notebook, directives without a rule of their own)."""
    page_url = f"{base}/{pagename}.html" if base else ""
    depth = pagename.count("/")

    def glue(key: str) -> str:
        name, _, spec = key.partition(":")
        if name not in glued or "text/plain" not in glued[name]:
            logger.warning("%s: no glued value %r for the notebook download", pagename, name)
            return name
        return format_plain_text(glued[name]["text/plain"], spec)

    def link(target: str) -> str | None:
        if not base:
            return None
        if target.startswith("#"):
            return page_url + target
        path, _, anchor = target.partition("#")
        stem = path.removesuffix(".md").removesuffix(".ipynb").removesuffix(".html")
        here = pagename.rsplit("/", 1)[0] + "/" if depth else ""
        resolved = os.path.normpath(here + stem).replace(os.sep, "/")
        return f"{base}/{resolved}.html" + (f"#{anchor}" if anchor else "")

    def scene(attrs: dict[str, str]) -> str:
        what = attrs.get("aria-label", "an interactive scene").removeprefix("Gradient-flow scene: ")
        where = (
            f"[the book's page for this chapter]({page_url})"
            if page_url
            else "the book's page for this chapter"
        )
        figure = " The figure above shows the same data." if attrs.get("data-fallback") else ""
        return f"*Interactive 3D scene ({what}): open {where} to play it.*{figure}"

    ctx = Context(glue=glue, link=link, scene=scene)
    cells = []
    for cell in nb.cells:
        cell = nbformat.from_dict(dict(cell))
        if cell.cell_type == "code":
            if _is_scene_data(cell):
                continue
            cell.outputs = [o for o in cell.outputs if not _is_glue(o)]
        elif cell.cell_type == "markdown":
            cell.source = convert(cell.source, ctx)
            if not cell.source.strip():
                continue
        cell.metadata.pop("execution", None)  # timestamps: different in every build
        cells.append(cell)
        caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
        if cell.cell_type == "code" and caption:  # the page shows it under the figure
            text = convert(" ".join(caption.split()), ctx)
            cells.append(nbformat.v4.new_markdown_cell(f"*{text}*"))
    for number, cell in enumerate(cells, start=1):
        cell.id = f"cell-{number}"
    out = nbformat.from_dict(dict(nb))
    out.cells = cells
    out.nbformat, out.nbformat_minor = 4, max(nb.get("nbformat_minor", 5), 5)  # ids need 4.5
    return out, ctx.unknown


def _with_outputs(app: Sphinx, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The executed notebook with its outputs. myst-nb writes jupyter_execute/<page>.ipynb with
    outputs when it runs a chapter, but without any when it takes the chapter from jupyter-cache
    (it writes the notebook it read, not the one it merged); the cache has them either way."""
    if app.config.nb_execution_mode != "cache":
        return nb
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(app.config.nb_execution_cache_path).merge_match_into_notebook(nb)
    except KeyError:  # not in the cache (a chapter that failed to run): keep what was written
        return nb
    return merged


def _offer_notebook(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    """Put the reader's notebook beside the page's source, for the theme's .ipynb button.

    sphinx-book-theme does this only when launch buttons (Binder, Colab) are set up; the book
    has none, because a chapter needs gradbook installed, which those services do not do.
    """
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        logger.warning("no executed notebook for %s at %s", pagename, executed)
        return
    nb = _with_outputs(app, nbformat.read(executed, as_version=4))
    glued = glued_values(executed)
    download, unknown = reader_notebook(nb, glued, pagename, book_address(app))
    for name in sorted(unknown):
        logger.info("%s: {%s} has no notebook rule; its content is kept as text", pagename, name)
    for cell in download.cells:
        if cell.cell_type == "markdown" and (left := leftover_myst(cell.source)):
            logger.warning("%s: MyST left in the notebook download: %s", pagename, left[:3])
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(download) + "\n", encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, bool]:
    # Before the theme's header buttons (priority 501), which read context["ipynb_source"].
    app.connect("html-page-context", _offer_notebook, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
