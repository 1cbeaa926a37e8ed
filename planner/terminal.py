"""Printing to the terminal safely: user text (names, paths, messages) is never read as Rich markup
or emoji codes, and terminal escape sequences and control characters are stripped from it."""
from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

# CSI / OSC / other ESC sequences (7- and 8-bit), then any control character left but newline and tab,
# and the bidirectional overrides that reorder what a reader sees.
_SEQUENCE = re.compile(r"(\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(\x1b\]|\x9d)[^\x07\x1b\x9c]*(\x07|\x1b\\|\x9c)?"
                       r"|\x1b[ -/]*[0-~]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """`text` without escape sequences or control characters (newlines and tabs are kept)."""
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


class SafeConsole(Console):
    """A rich Console that shows every string literally: no markup, no emoji codes, no control characters.
    Styled output is built with :func:`styled` (a Text), never with markup."""

    def __init__(self, **kwargs):
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs) -> Text:
        kwargs["markup"] = kwargs["emoji"] = False
        return super().render_str(clean(text), **kwargs)


def styled(label: str, style: str, rest: object = "") -> Text:
    """`label` in `style`, then ` rest` as plain text, e.g. styled("error:", "red", message)."""
    return Text.assemble((label, style), " " if rest != "" else "", clean(str(rest)))
