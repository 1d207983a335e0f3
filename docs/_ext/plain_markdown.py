"""MyST markdown turned into the plain Markdown that Jupyter renders.

A chapter's markdown cells use MyST: roles (``{glue:text}`name```, ``{term}`...```), attribute
spans (``[shrinks]{.gb-vanish}``), directives in colon or backtick fences (tab sets, grids,
cards, dropdowns, admonitions, raw HTML), targets and comments. Jupyter shows all of that as
literal text. `convert` rewrites it: glued values filled in, tab items as headed sections,
cards with a bold title, dropdowns as <details>, admonitions as quotes, coloured spans in bold,
links into the book resolved by the caller. A directive it has no rule for keeps its content
with its title in bold, so new markup degrades to readable text instead of leaking through.

The source is read by markdown-it-py with the plugins myst-parser uses (myst_tokens.py). The
plain Markdown is written back block by block: lists, tables, quotes and code from their own
lines, and the inline markup of paragraphs and headings from their tokens.

Pure text in, text out: no Sphinx here, so it is tested on its own (tests/docs/test_notebook.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import myst_tokens
from gradbook_scene import scene_attributes as _scene_attrs
from gradbook_scene import scene_html
from markdown_it.token import Token

EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, mailto:, ...
TARGETED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
# Blocks that are not prose to convert: dropped, or kept exactly as written.
DROPPED_BLOCKS = {"myst_target", "myst_line_comment", "myst_block_break", "front_matter"}
VERBATIM_BLOCKS = {"fence", "code_block", "html_block", "math_block", "math_block_label", "amsmath"}

ADMONITIONS = {
    "note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error",
    "seealso", "admonition", "margin", "sidebar", "aside", "epigraph", "pull-quote",
    "highlights", "topic",
}  # fmt: skip
CONTAINERS = {"tab-set", "grid", "card-carousel", "div", "container", "tab-set-code", "rst-class"}
TITLED_SECTIONS = {"tab-item"}  # a heading one level below the section they sit in
TITLED_BLOCKS = {"card", "grid-item-card", "grid-item", "button-link", "button-ref"}
CODE = {"code-block", "code", "sourcecode", "code-cell"}
DROPPED = {"toctree", "tableofcontents", "contents", "index", "only"}
GLUE_ROLES = {"glue", "glue:", "glue:any", "glue:text", "glue:md"}


@dataclass
class Context:
    """What the conversion needs from the notebook and the book around it."""

    # Glued name -> its text/plain output, as myst-nb's glue role would paste it.
    glue: Callable[[str], str]
    # An internal link ("#scenario=...", "#label", "other.md") -> a URL, or None for plain text.
    link: Callable[[str], str | None] = lambda target: None
    # The attributes of a scene's <div class="gradbook-scene"> -> what to say in its place.
    scene: Callable[[Mapping[str, str]], str] = lambda attrs: ""
    # The level of the section being converted; tab items become headings one below it.
    level: int = 1
    # Directives met that had no rule of their own (the caller may report them).
    unknown: set[str] = field(default_factory=set)


def convert(source: str, ctx: Context) -> str:
    """Plain Markdown for a markdown cell's MyST source."""
    text = "\n".join(_blocks(source.splitlines(), ctx))
    text = re.sub(r"\n{3,}", "\n\n", text)  # dropped blocks leave no holes
    return text.strip("\n")


def _blocks(lines: list[str], ctx: Context) -> list[str]:
    """The top-level blocks of `lines`, each converted, with a blank line after each."""
    out: list[str] = []
    tokens = myst_tokens.tokens("\n".join(lines))
    for i, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        named = myst_tokens.directive(token)
        if named:
            out += _directive(*named, token.content.splitlines(), ctx)
        elif token.type in DROPPED_BLOCKS:
            continue
        elif token.type in VERBATIM_BLOCKS:
            out += lines[start:end]
        elif token.type in ("paragraph_open", "heading_open"):
            text = _render(iter(tokens[i + 1].children or []), ctx)
            if token.type == "heading_open":
                ctx.level = int(token.tag[1])
                text = f"{'#' * ctx.level} {text}"
            out.append(text)
        elif token.type == "dl_open":
            out += _definitions(tokens[i + 1 :], ctx)
        else:  # lists, tables, quotes: their own lines, each line's inline markup converted
            out += [_inline(line, ctx) for line in lines[start:end]]
        out.append("")
    return out


def _definitions(tokens: list[Token], ctx: Context) -> list[str]:
    """A definition list: each term in bold on a line of its own, its definition below it."""
    out: list[str] = []
    for j, token in enumerate(tokens):
        if token.type == "dl_close" and token.level == 0:
            break
        if token.type == "inline":
            text = _render(iter(token.children or []), ctx)
            out.append(f"**{text}**  " if tokens[j - 1].type == "dt_open" else text)
    return out


def _directive(name: str, arg: str, body: list[str], ctx: Context) -> list[str]:
    options, text = myst_tokens.options("\n".join(body))
    content = text.splitlines()
    if name in CODE:
        language = arg.split()[0] if arg else ""
        return ["", f"```{language}", *content, "```", ""]
    if name == "gradbook-scene":
        return ["", ctx.scene(_scene_attrs(_scene_html(options))), ""]
    if name == "raw":
        html = "\n".join(content)
        if "gradbook-scene" in html:
            return ["", ctx.scene(_scene_attrs(html)), ""]
        return ["", html, ""] if arg.strip().lower() == "html" else []
    if name in {"math"}:
        return ["", "$$", *content, "$$", ""]
    if name in GLUE_ROLES:
        return ["", ctx.glue(arg), ""]
    if name in {"image", "figure"}:
        alt = options.get("alt", "")
        caption = _blocks(content, ctx) if name == "figure" else []
        return ["", f"![{alt}]({arg})", *(["", *caption] if caption else []), ""]
    if name in DROPPED:
        return []
    if name == "dropdown":
        inner = _blocks(content, ctx)
        summary = _inline(arg, ctx) or "Details"
        return ["", "<details>", f"<summary>{summary}</summary>", "", *inner, "", "</details>", ""]
    if name in CONTAINERS:
        return ["", *_blocks(content, _child(ctx)), ""]
    if name in TITLED_SECTIONS:
        level = min(ctx.level + 1, 6)
        inner = _blocks(content, _child(ctx, level))
        return ["", f"{'#' * level} {_inline(arg, ctx)}", "", *inner, ""]
    if name in ADMONITIONS:
        if name == "admonition":
            title, inner = arg, content
        else:
            title = name.replace("-", " ").capitalize()
            inner = [arg, *content] if arg else content
        text = _blocks(inner, _child(ctx))
        quoted = [f"> {line}".rstrip() for line in [f"**{_inline(title, ctx)}**", "", *text]]
        return ["", *quoted, ""]
    if name not in TITLED_BLOCKS:
        ctx.unknown.add(name)
    title = [f"**{_inline(arg, ctx)}**", ""] if arg else []
    return ["", *title, *_blocks(content, _child(ctx)), ""]


def _child(ctx: Context, level: int | None = None) -> Context:
    level = ctx.level if level is None else level
    return Context(ctx.glue, ctx.link, ctx.scene, level, ctx.unknown)


def _scene_html(options: Mapping[str, str]) -> str:
    """What {gradbook-scene} writes in the book, so the notebook says the same about it."""
    return scene_html(**{k: int(v) if k == "figures" else v for k, v in options.items()})


def _inline(text: str, ctx: Context) -> str:
    """One line's inline markup converted (roles, links and attribute spans)."""
    lines = myst_tokens.parser().parseInline(text)
    return _render(iter(lines[0].children or []), ctx) if lines else text


def _render(children: Iterator[Token], ctx: Context, until: str = "") -> str:
    """Plain Markdown for inline tokens, up to the one of type `until` (the end of a link or a
    span): roles and glue filled in, links resolved, spans in bold, the rest as written."""
    out: list[str] = []
    for token in children:
        kind = token.type
        if kind == until:
            break
        if kind == "text":
            out.append(token.content)
        elif kind == "softbreak":
            out.append("\n")
        elif kind == "hardbreak":
            out.append("\\\n")
        elif kind == "code_inline":
            pad = " " if token.content.startswith("`") or token.content.endswith("`") else ""
            out.append(f"{token.markup}{pad}{token.content}{pad}{token.markup}")
        elif kind in ("math_inline", "math_inline_double"):
            out.append(f"{token.markup}{token.content}{token.markup}")
        elif kind == "myst_role":
            out.append(_role(token.meta["name"], token.content, ctx))
        elif kind == "link_open":
            text = _render(children, ctx, "link_close")
            href = str(token.attrs.get("href", ""))
            out.append(f"<{text}>" if token.markup == "autolink" else _link(text, href, ctx))
        elif kind == "span_open":  # [text]{.class}: a coloured term, in bold
            text = _render(children, ctx, "span_close")
            out.append(f"**{text}**" if token.attrs.get("class") else text)
        elif kind == "image":
            out.append(f"![{token.content}]({token.attrs.get('src', '')})")
        elif kind == "footnote_ref":
            out.append(f"[^{token.meta.get('label', '')}]")
        elif kind.endswith(("_open", "_close")):  # emphasis, strong, strikethrough
            out.append(token.markup)
        else:  # inline HTML, and anything else: as written
            out.append(token.content)
    return "".join(out)


def _role(name: str, text: str, ctx: Context) -> str:
    if name in GLUE_ROLES:
        return ctx.glue(text)
    if name == "math":
        return f"${text}$"
    if name in {"sub", "sup", "kbd"}:
        return f"<{name}>{text}</{name}>"
    if name == "abbr":
        return re.sub(r"\s*\(.*\)$", "", text)
    targeted = TARGETED.match(text)
    shown = targeted["text"] if targeted and targeted["text"] else text
    if name in {"ref", "doc", "numref", "eq", "any"} and not (targeted and targeted["text"]):
        shown = text.rsplit("/", 1)[-1].removesuffix(".md")
    return shown


def _link(text: str, url: str, ctx: Context) -> str:
    if EXTERNAL.match(url):
        return f"[{text}]({url})"
    target = ctx.link(url)
    return f"[{text}]({target})" if target else text


def leftover_myst(markdown: str) -> list[str]:
    """MyST-only markup still in `markdown`, outside code blocks and code spans (the tests'
    check, and the build's)."""
    found: list[str] = []
    for token in myst_tokens.tokens(markdown):
        if myst_tokens.directive(token):
            found.append(f"{token.markup}{token.info.strip()}")
        elif token.type == "myst_target":
            found.append(f"({token.content})=")
        elif token.type == "inline":
            found += _leftover_inline(iter(token.children or []))
    return found


def _leftover_inline(children: Iterator[Token]) -> list[str]:
    found: list[str] = []
    for token in children:
        if token.type == "myst_role":
            found.append(f"{{{token.meta['name']}}}`{token.content}`")
        elif token.type == "span_open":
            text = "".join(t.content for t in _until(children, "span_close"))
            found.append(f"[{text}]{{{_attrs(token.attrs)}}}")
    return found


def _until(children: Iterator[Token], kind: str) -> Iterator[Token]:
    for token in children:
        if token.type == kind:
            return
        yield token


def _attrs(attrs: Mapping) -> str:
    """Attributes as MyST writes them: .class #id key="value"."""
    words = [f".{c}" for c in str(attrs.get("class", "")).split()]
    words += [f"#{attrs['id']}"] if "id" in attrs else []
    words += [f'{k}="{v}"' for k, v in attrs.items() if k not in ("class", "id")]
    return " ".join(words)
