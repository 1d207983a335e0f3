"""Drop the rules of a stylesheet that can match nothing in the built book.

The theme ships Bootstrap, Font Awesome's 2,000 icon classes and styles for every component it
offers, and each page loads all of it. A style rule is kept when at least one of its selectors
could match: every class and id the selector requires occurs in the book's HTML or in the
scripts the book loads (which is where classes set at run time come from). Anything this module
cannot judge is kept: element, attribute and pseudo-class selectors, classes inside :not(),
:is(), :where() and :has(), and every at-rule except the @media, @supports, @layer and
@container blocks it walks into. So a rule can only go when it names a class or id that the
book never has.

Pure functions over text; no Sphinx. The book's own stylesheets are not pruned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# At-rules whose block holds style rules (walked into); every other block (@font-face,
# @keyframes, @page, @property, ...) is kept as it is, unless a caller's filter drops it.
_GROUPING = ("@media", "@supports", "@layer", "@container")
# A token in HTML or JS that could be a class or id.
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_CLASS_OR_ID = re.compile(r"([.#])(-?[_A-Za-z][\w-]*)")
_FUNCTIONAL = re.compile(r":(?:not|is|where|has|matches|-webkit-any|-moz-any|host|nth-[a-z-]+)\(")
_ATTRIBUTE = re.compile(r"\[(?:[^\]\"']|\"[^\"]*\"|'[^']*')*\]")


@dataclass
class Rule:
    """A style rule (prelude = selector list) or an at-rule (prelude starts with '@').

    body is the text between the braces (None for a statement such as @charset);
    children is the parsed body of a grouping at-rule.
    """

    prelude: str
    body: str | None
    children: list[Rule] | None = None


class CSSSyntaxError(ValueError):
    pass


def _skip_string(css: str, i: int) -> int:
    quote = css[i]
    i += 1
    while i < len(css):
        if css[i] == "\\":
            i += 2
            continue
        if css[i] == quote:
            return i + 1
        i += 1
    raise CSSSyntaxError(f"unterminated string at offset {i}")


def _skip_comment(css: str, i: int) -> int:
    end = css.find("*/", i + 2)
    if end < 0:
        raise CSSSyntaxError(f"unterminated comment at offset {i}")
    return end + 2


def _block_end(css: str, i: int) -> int:
    """Offset just past the '}' that closes the '{' at css[i]."""
    depth = 0
    while i < len(css):
        c = css[i]
        if c in "\"'":
            i = _skip_string(css, i)
            continue
        if css.startswith("/*", i):
            i = _skip_comment(css, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise CSSSyntaxError("a '{' is never closed")


def parse(css: str) -> list[Rule]:
    """The top-level rules of a stylesheet; comments other than /*! notices */ are dropped."""
    rules: list[Rule] = []
    i, start = 0, 0
    prelude: list[str] = []
    while i < len(css):
        c = css[i]
        head = "".join(prelude) + css[start:i]  # the prelude so far, without its comments
        if css.startswith("/*", i):
            end = _skip_comment(css, i)
            if css.startswith("/*!", i) and not head.strip():
                rules.append(Rule(css[i:end], None))
            else:
                prelude.append(css[start:i])
            i = start = end
            continue
        if c in "\"'":
            i = _skip_string(css, i)
            continue
        if c == ";" and head.lstrip().startswith("@"):
            rules.append(Rule(head.strip(), None))
            prelude, i = [], i + 1
            start = i
            continue
        if c == "{":
            end = _block_end(css, i)
            body = css[i + 1 : end - 1]
            head = head.strip()
            children = parse(body) if head.startswith(_GROUPING) else None
            rules.append(Rule(head, body, children))
            prelude, i = [], end
            start = i
            continue
        if c == "}":
            raise CSSSyntaxError(f"an unmatched '}}' at offset {i}")
        i += 1
    if ("".join(prelude) + css[start:]).strip():
        raise CSSSyntaxError("text after the last rule")
    return rules


def serialize(rules: Iterable[Rule]) -> str:
    out = []
    for rule in rules:
        if rule.body is None:
            out.append(rule.prelude if rule.prelude.startswith("/*") else rule.prelude + ";")
        elif rule.children is not None:
            out.append(rule.prelude + "{" + serialize(rule.children) + "}")
        else:
            out.append(rule.prelude + "{" + rule.body + "}")
    return "".join(out)


def split_selectors(selector_list: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside () or [] or strings)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(selector_list):
        c = selector_list[i]
        if c in "\"'":
            i = _skip_string(selector_list, i)
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(selector_list[start:i].strip())
            start = i + 1
        i += 1
    parts.append(selector_list[start:].strip())
    return [p for p in parts if p]


def _drop_functional(selector: str) -> str:
    """The selector without the arguments of :not(), :is() and the like (left unjudged)."""
    while m := _FUNCTIONAL.search(selector):
        depth, i = 1, m.end()
        while i < len(selector) and depth:
            depth += {"(": 1, ")": -1}.get(selector[i], 0)
            i += 1
        selector = selector[: m.start()] + selector[i:]
    return selector


def required_names(selector: str) -> set[str]:
    """The classes and ids an element tree must contain for the selector to match."""
    bare = _drop_functional(_ATTRIBUTE.sub("", selector))
    return {name for _, name in _CLASS_OR_ID.findall(bare)}


def words(text: str) -> set[str]:
    """Every token of HTML or JS text that could be a class or an id."""
    return set(_WORD.findall(text))


def prune(
    rules: list[Rule],
    used: set[str],
    keep: Callable[[str], bool] = lambda name: False,
    drop_rule: Callable[[Rule], bool] = lambda rule: False,
) -> list[Rule]:
    """The rules that could match, each keeping only its selectors that could.

    `used`: the class and id names that occur; `keep(name)` says a name counts as used anyway
    (classes a script builds from pieces); `drop_rule(rule)` removes a rule outright.
    """
    out = []
    for rule in rules:
        if drop_rule(rule):
            continue
        if rule.prelude.startswith("@"):
            if rule.children is not None:
                children = prune(rule.children, used, keep, drop_rule)
                if children:
                    out.append(Rule(rule.prelude, rule.body, children))
            else:
                out.append(rule)
            continue
        if rule.body is None:  # a /*! notice */
            out.append(rule)
            continue
        selectors = [
            s
            for s in split_selectors(rule.prelude)
            if all(n in used or keep(n) for n in required_names(s))
        ]
        if selectors:
            out.append(Rule(",".join(selectors), rule.body))
    return out
