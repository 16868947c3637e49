"""Characters no user means to type: control characters, terminal escape sequences and bidi overrides.

A NUL or an escape sequence pasted into a question glued words together
("hvad\\x00blev") or became words of its own ("[31m"); a right-to-left override
in a file name shows "referat\\u202efdp.txt" as "referattxt.pdf". Written by hand:
the standard library's unicodedata gives the categories, and the set of bidi
controls is fixed by Unicode (UAX #9).
"""

from __future__ import annotations

import re
import unicodedata

# ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC), and two-character escapes.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?")
# Explicit bidi embeddings, overrides and isolates, and the directional marks (UAX #9).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_SPACES = re.compile(r"[ \t]{2,}")


def strip_invisible(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences and bidi controls; other control characters become a space."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    kept = []
    for char in text:
        if char in BIDI_CONTROLS:
            continue
        if char == "\n" and keep_newlines:
            kept.append(char)
        elif unicodedata.category(char) == "Cc" or char in "\u2028\u2029":
            kept.append(" ")
        else:
            kept.append(char)
    return _SPACES.sub(" ", "".join(kept))
