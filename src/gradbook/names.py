"""Option names (activations, inits, losses) as the library spells them.

A reader may type "Leaky-ReLU" or "xavier_uniform": any case, words joined by "-" or "_". Each
name has one canonical spelling, which configs hold and error messages list.
"""

from __future__ import annotations

# Characters a reader may put between the words of a name; all count as the same one.
SEPARATORS = ("_", "-")


def fold(name: str) -> str:
    """`name` in the form spellings are compared in: lower case, every separator as "_"."""
    key = name.lower()
    for sep in SEPARATORS[1:]:
        key = key.replace(sep, SEPARATORS[0])
    return key


def canonical(name: str, kind: str, names: tuple[str, ...]) -> str:
    """`name` as spelled in `names`; a ValueError listing `names` if it is none of them.

    `kind` ("activation", "init", ...) names the option in the error message.
    """
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be a string, one of {', '.join(names)}; got {name!r}")
    key = fold(name)
    for known in names:
        if fold(known) == key:
            return known
    raise ValueError(f"unknown {kind} {name!r}: allowed values are {', '.join(names)}")
