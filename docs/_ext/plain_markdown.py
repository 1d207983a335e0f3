"""MyST markdown turned into the plain Markdown that Jupyter renders.

A chapter's markdown cells use MyST: roles (``{glue:text}`name```, ``{term}`...```), attribute
spans (``[shrinks]{.gb-vanish}``), directives in colon or backtick fences (tab sets, grids,
cards, dropdowns, admonitions, raw HTML), targets and comments. Jupyter shows all of that as
literal text. `convert` rewrites it: glued values filled in, tab items as headed sections,
cards with a bold title, dropdowns as <details>, admonitions as quotes, coloured spans in bold,
links into the book resolved by the caller. A directive it has no rule for keeps its content
with its title in bold, so new markup degrades to readable text instead of leaking through.

Pure text in, text out: no Sphinx here, so it is tested on its own (tests/docs/test_notebook.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gradbook_scene import scene_attributes as _scene_attrs
from gradbook_scene import scene_html

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*)$")
ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<text>.+?)(?P=ticks)")
CODE_SPAN = re.compile(r"(?P<ticks>`+).+?(?P=ticks)")
LINK = re.compile(r"(?<!!)\[(?P<text>[^\[\]]*)\]\((?P<url>[^()\s]*)\)(?P<attrs>\{[^{}]*\})?")
SPAN = re.compile(r"(?<!!)\[(?P<text>[^\[\]]*)\]\{(?P<attrs>[^{}]*)\}")
TARGET = re.compile(r"^\s{0,3}\([^()\s]+\)=\s*$")
COMMENT = re.compile(r"^\s{0,3}%")
BLOCK_BREAK = re.compile(r"^\s{0,3}\+\+\+")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, mailto:, ...
TARGETED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)

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
    out = _blocks(source.splitlines(), ctx)
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)  # dropped lines leave no holes
    return text.strip("\n")


def _blocks(lines: list[str], ctx: Context) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            end = _closing(lines, i, fence["fence"])
            body = lines[i + 1 : end]
            directive = DIRECTIVE.match(fence["info"].strip())
            if directive:
                out += _directive(directive["name"], directive["arg"].strip(), body, ctx)
            else:  # an ordinary code block: verbatim
                out += lines[i : end + 1]
            i = end + 1
            continue
        if TARGET.match(line) or COMMENT.match(line) or BLOCK_BREAK.match(line):
            i += 1
            continue
        heading = HEADING.match(line)
        if heading:
            ctx.level = len(heading["hashes"])
        if line.startswith(": ") and out and out[-1].strip() and not _blank_before(out):
            # A definition list ("Term" then ": definition"): the term in bold, its own line.
            out[-1] = f"**{out[-1].strip()}**  "
            out.append(_inline(line[2:], ctx))
        else:
            out.append(_inline(line, ctx))
        i += 1
    return out


def _blank_before(out: list[str]) -> bool:
    """Whether the term line is preceded by something other than a blank line (mid-paragraph)."""
    return len(out) >= 2 and out[-2].strip() != "" and not out[-2].startswith("**")


def _closing(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at `start` (the last line if none does)."""
    for j in range(start + 1, len(lines)):
        if _closes(lines[j], fence):
            return j
    return len(lines)


def _options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    """A directive's options (":key: value" lines or a --- YAML block) and its content."""
    options: dict[str, str] = {}
    if body and body[0].strip() == "---":
        end = next((j for j in range(1, len(body)) if body[j].strip() == "---"), None)
        if end is not None:
            for line in body[1:end]:
                key, sep, value = line.partition(":")
                if sep and not line.startswith(" "):
                    options[key.strip()] = value.strip()
            return options, body[end + 1 :]
    j = 0
    while j < len(body) and re.match(r"^\s*:[\w-]+:", body[j]):
        key, _, value = body[j].strip()[1:].partition(":")
        options[key] = value.strip()
        j += 1
    return options, body[j:]


def _directive(name: str, arg: str, body: list[str], ctx: Context) -> list[str]:
    options, content = _options(body)
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
    """Roles, links and attribute spans of one line; code spans are left as they are."""
    pieces: list[str] = []
    pos = 0
    for m in CODE_SPAN.finditer(text):
        before = text[max(0, m.start() - 64) : m.start()]
        if re.search(r"\{[A-Za-z][\w:.+-]*\}$", before):
            continue  # the backticks of a role, handled with the role
        pieces.append(_inline_markup(text[pos : m.start()], ctx))
        pieces.append(m.group(0))
        pos = m.end()
    pieces.append(_inline_markup(text[pos:], ctx))
    return "".join(pieces)


def _inline_markup(text: str, ctx: Context) -> str:
    text = ROLE.sub(lambda m: _role(m["name"], m["text"], ctx), text)
    text = LINK.sub(lambda m: _link(m["text"], m["url"], ctx), text)
    return SPAN.sub(lambda m: f"**{m['text']}**" if "." in m["attrs"] else m["text"], text)


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


def _closes(line: str, fence: str) -> bool:
    return re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", line) is not None


def _outside_code_spans(line: str) -> str:
    """The line without its code spans (a role's backticks are the role's, not a code span)."""
    kept, pos = [], 0
    for m in CODE_SPAN.finditer(line):
        if re.search(r"\{[A-Za-z][\w:.+-]*\}$", line[: m.start()]):
            continue
        kept.append(line[pos : m.start()])
        pos = m.end()
    return "".join([*kept, line[pos:]])


def leftover_myst(markdown: str) -> list[str]:
    """MyST-only markup still in `markdown`, outside code blocks and code spans (the tests'
    check, and the build's)."""
    found: list[str] = []
    code = ""  # the fence of the code block we are in
    directives: list[str] = []  # the fences of directives left open
    for line in markdown.splitlines():
        if code:
            code = "" if _closes(line, code) else code
            continue
        if directives and _closes(line, directives[-1]):
            directives.pop()
            continue
        opened = FENCE.match(line)
        if opened and DIRECTIVE.match(opened["info"].strip()):
            found.append(line)
            directives.append(opened["fence"])
            continue
        if opened:
            code = opened["fence"]
            continue
        if TARGET.match(line):
            found.append(line)
        text = _outside_code_spans(line)
        for pattern in (ROLE, SPAN):
            found += [m.group(0) for m in pattern.finditer(text)]
    return found
