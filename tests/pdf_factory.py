"""Real PDF files for the ingestion tests, laid out like KL's KKR meeting documents.

The corpus only holds text that was once extracted from KL's PDFs. To test the PDF
path of the ingestion honestly we need PDFs that carry the same problems the real
ones do, so this module turns a corpus text back into a PDF:

* A4 pages with a body font that has the Danish letters and en dashes,
* a running footer on every page, ``KKR Syddanmark | DD-MM-YYYY`` (the meeting
  date; just the committee when the date is unknown) and ``SIDE | N``,
* body lines re-wrapped at the page width *with hyphenation* ("botilbudskapaci-" /
  "teten"), at other places than in the source text, so the parser must repair
  words and cannot lean on where the corpus text happened to break,
* bold item headings ``N.M. Title`` that keep their source line breaks.

It also writes the bad inputs the CLI must survive: a corrupt PDF, an encrypted one,
an image-only (scanned) one, an empty file, a PDF without agenda items and a file
with an unsupported extension.

Text goes through two steps. :func:`logical_text` turns a corpus text (wrapped
lines, blank lines between them, hyphenated line ends, stray footers) into blocks
separated by one blank line; a newline inside a block is a forced line break, which
only item headings use. :func:`write_meeting_pdf` lays such blocks out on pages.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import random
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfReader, PdfWriter

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"

# --------------------------------------------------------------------------- fonts

#: Characters the body font must have: the corpus uses all of them.
REQUIRED_GLYPHS = "æøåÆØÅéá–’”§•"


class FontUnavailableError(RuntimeError):
    """No font with Danish letters and en dashes was found; PDFs cannot be written."""


@dataclass(frozen=True)
class BodyFont:
    """A regular and a bold font file of one family."""

    regular: Path
    bold: Path


def _package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing it (gradio is slow)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _font_candidates() -> Iterator[BodyFont]:
    """Font pairs in order of preference: shipped by a pip package first, then the OS.

    A font inside a package from requirements.txt makes the PDFs the same on every
    machine; gradio ships Source Sans Pro as WOFF2 (and brotli, which reading WOFF2
    needs). matplotlib, when present, ships DejaVu Sans. The system paths are the
    fallback for an environment where neither is installed.
    """
    gradio = _package_dir("gradio")
    if gradio is not None:
        for regular in sorted(gradio.rglob("SourceSansPro-Regular.woff2")):
            yield BodyFont(regular, regular.with_name("SourceSansPro-Bold.woff2"))
    matplotlib = _package_dir("matplotlib")
    if matplotlib is not None:
        ttf = matplotlib / "mpl-data" / "fonts" / "ttf"
        yield BodyFont(ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf")
    for directory in (
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),
        Path("/Library/Fonts"),
    ):
        yield BodyFont(directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf")
    for directory in (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/liberation")):
        yield BodyFont(directory / "LiberationSans-Regular.ttf", directory / "LiberationSans-Bold.ttf")


def _has_glyphs(path: Path) -> bool:
    """True when the font file can be read and maps every character we print."""
    from fontTools.ttLib import TTFont, TTLibError  # fpdf2 depends on fontTools

    try:
        cmap = TTFont(str(path), lazy=True).getBestCmap()
    except (OSError, ImportError, TTLibError, KeyError, ValueError):  # unreadable, or WOFF2 without brotli
        return False
    return all(ord(char) in cmap for char in REQUIRED_GLYPHS)


@lru_cache(maxsize=1)
def body_font() -> BodyFont:
    """The first usable font pair; raises :class:`FontUnavailableError` if there is none."""
    for candidate in _font_candidates():
        files_exist = candidate.regular.is_file() and candidate.bold.is_file()
        if files_exist and _has_glyphs(candidate.regular) and _has_glyphs(candidate.bold):
            return candidate
    raise FontUnavailableError(
        "no TTF/WOFF2 font with Danish letters found (looked in gradio, matplotlib and "
        "the system font directories); install fonts-dejavu-core"
    )


# ------------------------------------------------------------------ corpus → blocks

_ITEM_RE = re.compile(r"^\d+\.\d+\.\s+\S")
_GROUP_RE = re.compile(r"^(\d+)\.\s+\S")
_CASE_RE = re.compile(r"^SAG-\d{4}-\d+")
_BULLET_RE = re.compile(r"^(?:[–•▪]|-)\s")
_URL_RE = re.compile(r"^(?:https?://|www\.)\S+$")
_MARGIN_MARK_RE = re.compile(r"^\./\.")
_TOC_RE = re.compile(r"^(?P<text>[^\t]+)\t(?P<page>\d+)$")
_FOOTER_RES = (
    re.compile(r"^.{1,40}\|\s*\d{2}-\d{2}-\d{4}$"),  # "KKR Syddanmark  | 09-06-2021"
    re.compile(r"^SIDE\s*\|\s*\d+$"),  # " SIDE  |  15"
)
_MD_LINK_RE = re.compile(r"\[([^\]\n]+)\]\([^)\s]*\)")
_HTML_TAG_RE = re.compile(r"</?[a-zA-Z]+\s*/?>")
_MD_TABLE_RULE_RE = re.compile(r"^-{3,}(?:\t-+)*$")

#: Stand-alone headings in KL's documents; they never join the text around them.
SECTION_NAMES = frozenset(
    {
        "Baggrund",
        "Indstilling",
        "Sagsfremstilling",
        "Beslutning",
        "Bilag",
        "Mission",
        "Vision",
        "Deltagerfortegnelse",
        "Deltagere",
        "Afbud",
    }
)

#: A source line shorter than this that does not end in a hyphen ends its paragraph:
#: KL's text column holds about 75 characters, so a short line is a last line.
_SHORT_LINE = 45

#: Words after which a line-end hyphen is a suspended compound ("social- og ...").
_SUSPENSION_FOLLOWERS = frozenset({"og", "eller", "samt", "til", "som", "&"})


def strip_markup(text: str) -> str:
    """Drop what the text conversion added and a PDF would not show.

    The 2023-11-21 text came out of a converter that wrote markdown links
    (``[link text](#)``) and ``<p>`` tags in table cells; a PDF shows only the link
    text and the cell text. (Its markdown table rules are dropped by
    :func:`logical_text`.)
    """
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _HTML_TAG_RE.sub(" ", text)
    return text


def _is_footer(line: str) -> bool:
    return any(pattern.match(line) for pattern in _FOOTER_RES)


def _join_hyphenated(previous: str, following: str) -> str:
    """Join a line that ends in "-" to the next one, deciding whether the hyphen stays.

    The hyphen stays in URLs, after a capital or digit ("KKR-" + "udpegede"), before a
    capital or digit, and before "og", "eller", "som" and the like (suspended
    compounds, "social- og"; the parser reads these the same way); it goes between two
    lower-case halves ("sund-" + "hedstilstand").
    """
    last = previous.split()[-1]
    first = following.split()[0]
    if last == "-":  # a free-standing dash ("social -" + "og")
        return f"{previous} {following}"
    if "/" in last or last.startswith(("http", "www.")):
        return previous + following
    if re.search(r"[A-ZÆØÅ0-9]-$", last) or first[:1].isupper() or first[:1].isdigit():
        return previous + following
    if first.strip(".,;:") in _SUSPENSION_FOLLOWERS:
        return f"{previous} {following}"
    return previous[:-1] + following


def _starts_block(line: str) -> bool:
    """Lines that always begin a new block, whatever came before them."""
    return bool(
        _ITEM_RE.match(line)
        or _GROUP_RE.match(line)
        or _CASE_RE.match(line)
        or _BULLET_RE.match(line)
        or _URL_RE.match(line)
        or _MARGIN_MARK_RE.match(line)
        or "\t" in line
        or line in SECTION_NAMES
    )


def _is_single_line(line: str) -> bool:
    """Blocks that are one line by nature: nothing joins after them."""
    return bool(_CASE_RE.match(line) or line in SECTION_NAMES or "\t" in line)


def logical_text(raw: str) -> str:
    """Turn a corpus text into blocks of logical text, one blank line between blocks.

    The corpus texts come in two shapes. Most keep the PDF's line wrapping: every line
    is followed by an empty line, a paragraph break is a line holding only spaces,
    a line starting with a space follows a page break, and words are hyphenated at
    line ends. One (2023-11-21) has a whole paragraph on each line. This undoes the
    wrapping (de-hyphenating as :func:`_join_hyphenated` says), drops the few running
    footers that survived extraction, and keeps item headings with their source line
    breaks (lines that follow an item heading directly, without an empty line).
    """
    raw = strip_markup(raw.replace("\r\n", "\n").replace("\f", "\n"))
    raw_lines = raw.split("\n")
    # (gap, text): gap 0 = directly after the previous line, 1 = after empty lines,
    # 2 = after a line of spaces (a paragraph break in the wrapped texts).
    entries: list[tuple[int, str]] = []
    gap = 2
    for line in raw_lines:
        stripped = line.strip()
        if not stripped:
            gap = max(gap, 2 if line else 1)
            continue
        if _is_footer(stripped) or _MD_TABLE_RULE_RE.match(stripped):
            continue
        entries.append((gap, re.sub(r"[ \u00a0]+", " ", stripped)))
        gap = 0
    long_lines = sum(1 for _, text in entries if len(text) > 120 and not _URL_RE.match(text))
    unwrapped = long_lines >= 5

    blocks: list[list[str]] = []
    in_heading = False
    for gap, text in entries:
        current = blocks[-1] if blocks else None
        if current is not None and in_heading and gap == 0 and not _starts_block(text):
            current.append(text)  # an item heading's continuation line, kept as a line
            continue
        in_heading = bool(_ITEM_RE.match(text))
        if current is None or in_heading:
            blocks.append([text])
            continue
        previous = current[-1]
        if unwrapped:
            if previous.endswith("-") and previous[-2:-1].islower() and text[:1].islower():
                current[-1] = _join_hyphenated(previous, text)
            else:
                blocks.append([text])
            continue
        hyphenated = previous.endswith("-") and len(previous) > 1
        if hyphenated and _URL_RE.match(previous) and not _starts_block(text):
            current[-1] = previous + text  # a URL broken after one of its hyphens
            continue
        new_block = (
            gap == 2
            or _starts_block(text)
            or _is_single_line(current[0])
            or _ITEM_RE.match(current[0]) is not None
            or _URL_RE.match(previous) is not None
            or (not hyphenated and len(previous) < _SHORT_LINE)
            or (gap == 0 and previous[-1] in ".:!?" and text[:1].isupper())
        )
        if new_block:
            blocks.append([text])
        elif hyphenated:
            current[-1] = _join_hyphenated(previous, text)
        else:
            current[-1] = f"{previous} {text}"
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


# ------------------------------------------------------------------------ layout

PAGE_WIDTH_MM = 210.0
LEFT_MARGIN_MM = 38.0
RIGHT_MARGIN_MM = 44.0
TOP_MARGIN_MM = 22.0
BOTTOM_MARGIN_MM = 28.0
BODY_WIDTH_MM = PAGE_WIDTH_MM - LEFT_MARGIN_MM - RIGHT_MARGIN_MM
BODY_PT = 11.0
LINE_MM = 5.4
BULLET_INDENT_MM = 5.0
TABLE_LEFT_COLUMN_MM = 42.0
FONT = "kl-body"


class _A4PDF(FPDF):
    """An A4 page with the body font, margins and page breaks every factory PDF shares."""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        font = body_font()
        self.add_font(FONT, "", str(font.regular))
        self.add_font(FONT, "B", str(font.bold))
        self.set_margins(LEFT_MARGIN_MM, TOP_MARGIN_MM, RIGHT_MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN_MM)
        self.set_creator("tests/pdf_factory.py")


class _MeetingPDF(_A4PDF):
    """An FPDF whose every page carries KL's running footer."""

    def __init__(self, footer_label: str, running_header: str | None = None) -> None:
        super().__init__()
        self.footer_label = footer_label
        self.running_header = running_header

    def header(self) -> None:
        """The committee's name at the top of every page after the first, when asked for."""
        if not self.running_header or self.page_no() < 2:
            return
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.set_xy(LEFT_MARGIN_MM, 10)
        self.cell(BODY_WIDTH_MM, 4, self.running_header, align="R")
        self.set_text_color(0, 0, 0)
        self.set_xy(LEFT_MARGIN_MM, TOP_MARGIN_MM)

    def footer(self) -> None:
        """Committee and date on one line, page number on the next, as on KL's pages.

        They sit on separate baselines so text extraction gives two lines, like the
        footers that survived in the corpus ("KKR Syddanmark | 09-06-2021", "SIDE | 15").
        """
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.set_xy(LEFT_MARGIN_MM, -20)
        self.cell(BODY_WIDTH_MM, 4, self.footer_label, align="L")
        self.set_xy(LEFT_MARGIN_MM, -14)
        self.cell(BODY_WIDTH_MM, 4, f"SIDE | {self.page_no()}", align="R")
        self.set_text_color(0, 0, 0)


_VOWELS = frozenset("aeiouyæøåéáü")


def _is_breakable_letter(char: str) -> bool:
    return char.isalpha() and char.islower() and not unicodedata.combining(char)


def _syllable_break(word: str, cut: int) -> bool:
    """True when ``word`` may be hyphenated before index ``cut``, roughly as Danish does.

    Between two lower-case letters only, with two letters on each side, and where a
    syllable plausibly ends: vowel | consonant + vowel ("Kommu-ne") or
    consonant | consonant + vowel after a vowel ("Syddan-mark"). Good enough to look
    like KL's pages; the parser cannot tell either way.
    """
    if cut < 3 or cut > len(word) - 2:
        return False
    if not all(_is_breakable_letter(word[i]) for i in (cut - 2, cut - 1, cut, cut + 1)):
        return False
    before, first, second = word[cut - 1], word[cut], word[cut + 1]
    if first in _VOWELS or second not in _VOWELS:
        return False
    return before in _VOWELS or word[cut - 2] in _VOWELS


def _hyphenate(word: str, fits: Callable[[str], bool]) -> tuple[str, str] | None:
    """Split ``word`` as late as the line allows: ("botilbudskapaci-", "teten").

    A split goes at a syllable boundary between lower-case letters (see
    :func:`_syllable_break`) and adds a hyphen; or it goes right after a hyphen the
    word already has when a capital or digit precedes that hyphen ("KKR-" /
    "udpegede"), the way word processors break compounds. URLs are never hyphenated:
    a hyphen added to a URL would change it.
    """
    if "/" in word or "@" in word or word.startswith(("http", "www.")):
        return None
    for cut in range(len(word) - 2, 2, -1):
        left = word[:cut]
        if _syllable_break(word, cut):
            head = left + "-"
        elif re.search(r"[A-ZÆØÅ0-9]-$", left) and word[cut].isalpha():
            head = left
        else:
            continue
        if fits(head):
            return head, word[cut:]
    return None


def _force_break(unit: str, fits: Callable[[str], bool]) -> tuple[str, str]:
    """Break something wider than a whole line: at a space, after "/" or "-", or anywhere."""
    for separators in (" ", "/-"):
        for cut in range(len(unit) - 1, 0, -1):
            if unit[cut - 1] in separators and fits(unit[:cut].rstrip()):
                return unit[:cut].rstrip(), unit[cut:].lstrip()
    cut = len(unit) - 1
    while cut > 1 and not fits(unit[:cut]):
        cut -= 1
    return unit[:cut], unit[cut:]


#: Tokens that must not start a line: a line "20. april 2021." or "3.1. og ..." would
#: read as a heading, and a line starting with a dash would read as a bullet.
_NO_LINE_START_RE = re.compile(r"^(?:\d+(?:\.\d+)*\.|\d+\.\d+|SAG-\S+|[–—•-])$")


def _units(text: str) -> list[str]:
    """Words, with the ones that must not start or end a line glued to a neighbour."""
    units: list[str] = []
    glue_next = False
    for word in text.split():
        dash = word in {"–", "—", "-", "•"}
        if units and (glue_next or (_NO_LINE_START_RE.match(word) and not dash) or dash):
            units[-1] = f"{units[-1]} {word}"
        else:
            units.append(word)
        glue_next = dash
    return units


def _fits_after(fits: Callable[[str], bool], prefix: str) -> Callable[[str], bool]:
    """``fits`` for text that continues a line already holding ``prefix``."""
    return lambda text: fits(f"{prefix} {text}")


def wrap_text(text: str, fits: Callable[[str], bool], *, hyphenate: bool = True) -> list[str]:
    """Greedy line breaking; a word that does not fit is hyphenated when it can be."""
    lines: list[str] = []
    current = ""
    for unit in _units(text):
        candidate = f"{current} {unit}" if current else unit
        if fits(candidate):
            current = candidate
            continue
        if hyphenate and " " not in unit and current:
            split = _hyphenate(unit, _fits_after(fits, current))
            if split is not None:
                lines.append(f"{current} {split[0]}")
                current, unit = "", split[1]
        if current:
            lines.append(current)
            current = ""
        while not fits(unit):
            split = _hyphenate(unit, fits) if hyphenate and " " not in unit else None
            head, unit = split if split is not None else _force_break(unit, fits)
            lines.append(head)
        current = unit
    if current:
        lines.append(current)
    return lines


def _fits_width(pdf: FPDF, width: float) -> Callable[[str], bool]:
    return lambda text: pdf.get_string_width(text) <= width


def _line(pdf: FPDF, text: str, *, x: float = LEFT_MARGIN_MM, link: str = "") -> None:
    pdf.set_x(x)
    pdf.cell(0, LINE_MM, text, link=link, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _ensure_room(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit (keeps headings with their text)."""
    if pdf.get_y() + height > pdf.h - BOTTOM_MARGIN_MM:
        pdf.add_page()


def _render_paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "", BODY_PT)
    if _BULLET_RE.match(text):
        marker, rest = text.split(" ", 1)
        indent = pdf.l_margin + BULLET_INDENT_MM
        width = BODY_WIDTH_MM - BULLET_INDENT_MM
        lines = wrap_text(rest, _fits_width(pdf, width))
        for number, line in enumerate(lines):
            if number == 0:
                _ensure_room(pdf, LINE_MM)
                pdf.set_x(pdf.l_margin)
                pdf.cell(BULLET_INDENT_MM, LINE_MM, marker)
            _line(pdf, line, x=indent)
    else:
        for line in wrap_text(text, _fits_width(pdf, BODY_WIDTH_MM)):
            _line(pdf, line)
    pdf.ln(LINE_MM * 0.5)


def _render_table_row(pdf: FPDF, cells: list[str]) -> None:
    """A two-column row: the first cell left, the rest wrapped in the right column."""
    pdf.set_font(FONT, "", BODY_PT - 1)
    left = wrap_text(cells[0], _fits_width(pdf, TABLE_LEFT_COLUMN_MM - 3), hyphenate=False)
    right_width = BODY_WIDTH_MM - TABLE_LEFT_COLUMN_MM
    right = wrap_text(" ".join(cells[1:]), _fits_width(pdf, right_width))
    _ensure_room(pdf, LINE_MM * max(len(left), len(right)))
    top = pdf.get_y()
    for line in left:
        _line(pdf, line)
    bottom = pdf.get_y()
    pdf.set_y(top)
    for line in right:
        _line(pdf, line, x=LEFT_MARGIN_MM + TABLE_LEFT_COLUMN_MM)
    pdf.set_y(max(bottom, pdf.get_y()) + 1)


def _render_toc_line(pdf: FPDF, text: str, page: str) -> None:
    """A table-of-contents line: title left, page number right, on one baseline."""
    size = BODY_PT - 1
    pdf.set_font(FONT, "", size)
    while size > 6 and pdf.get_string_width(text) > BODY_WIDTH_MM - 12:
        size -= 0.5
        pdf.set_font(FONT, "", size)
    pdf.set_x(pdf.l_margin)
    pdf.cell(BODY_WIDTH_MM - 10, LINE_MM, text)
    pdf.cell(10, LINE_MM, page, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _is_group_heading(blocks: list[str], index: int) -> bool:
    """A line "N. Title" is a group heading only if the next item heading is "N.1. ...".

    Numbered lists ("1. Afdækning af ...") look the same but are body text.
    """
    match = _GROUP_RE.match(blocks[index])
    if match is None or "\n" in blocks[index] or len(blocks[index]) > 80:
        return False
    for block in blocks[index + 1 :]:
        if _ITEM_RE.match(block):
            return block.startswith(f"{match.group(1)}.1.")
    return False


def _footer_label(committee: str, meeting_date: date | None) -> str:
    return f"{committee} | {meeting_date:%d-%m-%Y}" if meeting_date else committee


#: A block holding only this starts a new page: puts a heading last on its page on purpose.
PAGE_BREAK = "\f"


def _render(
    text: str,
    *,
    committee: str,
    meeting_date: date | None,
    doc_type_header: str | None,
    running_header: str | None = None,
) -> _MeetingPDF:
    pdf = _MeetingPDF(_footer_label(committee, meeting_date), running_header)
    pdf.add_page()
    if doc_type_header:
        pdf.set_font(FONT, "B", 22)
        pdf.cell(0, 12, doc_type_header, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "B", 14)
        pdf.cell(0, 8, committee.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(10)
    blocks = [block.strip("\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip(" \n")]
    for index, block in enumerate(blocks):
        first = block.split("\n", 1)[0]
        if block == PAGE_BREAK:
            pdf.add_page()
        elif _TOC_RE.match(first):
            for line in block.split("\n"):
                toc = _TOC_RE.match(line)
                if toc:
                    _render_toc_line(pdf, toc.group("text").strip(), toc.group("page"))
                else:
                    _render_paragraph(pdf, line)
        elif "\t" in first:
            _render_table_row(pdf, [cell.strip() for cell in first.split("\t") if cell.strip()])
        elif _ITEM_RE.match(first):
            pdf.ln(LINE_MM)
            _ensure_room(pdf, LINE_MM * 8)
            pdf.set_font(FONT, "B", BODY_PT + 1)
            for source_line in block.split("\n"):
                # Keep the source's line breaks; wrap further only what is too wide.
                for line in wrap_text(source_line, _fits_width(pdf, BODY_WIDTH_MM), hyphenate=False):
                    _line(pdf, line)
            pdf.ln(LINE_MM * 0.5)
        elif _is_group_heading(blocks, index):
            if pdf.get_y() > TOP_MARGIN_MM + 1:
                pdf.add_page()
            pdf.set_font(FONT, "B", BODY_PT + 4)
            pdf.cell(0, LINE_MM * 1.6, block, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(LINE_MM)
        elif block in SECTION_NAMES:
            pdf.ln(LINE_MM * 0.5)
            _ensure_room(pdf, LINE_MM * 3)
            pdf.set_font(FONT, "B", BODY_PT)
            _line(pdf, block)
        elif _CASE_RE.match(block):
            pdf.set_font(FONT, "", BODY_PT - 1)
            _line(pdf, block)
            pdf.ln(LINE_MM * 0.5)
        elif _URL_RE.match(block):
            # A link printed on its own line: smaller type until it fits, as Word does
            # with a long pasted URL; only a URL too long even then is broken.
            size = BODY_PT - 1
            pdf.set_font(FONT, "", size)
            while size > 7 and pdf.get_string_width(block) > BODY_WIDTH_MM:
                size -= 0.5
                pdf.set_font(FONT, "", size)
            pdf.set_text_color(20, 60, 160)
            for line in wrap_text(block, _fits_width(pdf, BODY_WIDTH_MM), hyphenate=False):
                _line(pdf, line, link=block if block.startswith("http") else "")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(LINE_MM * 0.5)
        else:
            for paragraph in block.split("\n"):
                _render_paragraph(pdf, paragraph)
    return pdf


def write_meeting_pdf(
    text: str,
    path: Path,
    *,
    committee: str = "KKR Syddanmark",
    meeting_date: date | None,
    doc_type_header: str | None = None,
    running_header: str | None = None,
) -> Path:
    """Write ``text`` (blocks as :func:`logical_text` makes them) as a KL-style PDF.

    Blocks are told apart by their first line: "N.M. Title" is a bold item heading
    (its lines kept), "N. Title" before "N.1." a group heading on a new page, "SAG-..."
    a case line, "Baggrund" and the like a bold section heading, "text<TAB>page" a
    table-of-contents line, other lines with a tab a two-column table row, a bare
    URL a link line; everything else is body text, hyphenated where it wraps.

    ``meeting_date`` goes into every page's footer; ``None`` leaves the footer with the
    committee only, as for a document whose date is unknown. ``doc_type_header``
    (e.g. "REFERAT") is printed as a cover title on the first page. ``running_header``
    is printed at the top of every later page; a block of just :data:`PAGE_BREAK`
    starts a new page.
    """
    pdf = _render(
        text, committee=committee, meeting_date=meeting_date, doc_type_header=doc_type_header,
        running_header=running_header,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


# ------------------------------------------------------------------ corpus → PDF


@dataclass(frozen=True)
class ManifestEntry:
    """One row of corpus/manifest.csv."""

    file: str
    committee: str
    meeting_date: date | None
    doc_type: str


def read_manifest(path: Path = CORPUS_DIR / "manifest.csv") -> dict[str, ManifestEntry]:
    """Manifest rows keyed by file name; an empty date becomes ``None``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["file"]: ManifestEntry(
                file=row["file"],
                committee=row["committee"],
                meeting_date=date.fromisoformat(row["meeting_date"]) if row["meeting_date"] else None,
                doc_type=row["doc_type"],
            )
            for row in csv.DictReader(handle)
        }


def corpus_pdf(txt_path: Path, out_dir: Path) -> Path:
    """Render a corpus text as ``out_dir/<stem>.pdf`` with the manifest's date in the footer.

    The cover title is the manifest's doc type in capitals, unless the text already
    opens with it (the 2023-11-21 text starts "REFERAT 2023").
    """
    manifest = txt_path.parent / "manifest.csv"
    entry = read_manifest(manifest if manifest.is_file() else CORPUS_DIR / "manifest.csv")[txt_path.name]
    raw = txt_path.read_text(encoding="utf-8")
    header = entry.doc_type.upper()
    return write_meeting_pdf(
        logical_text(raw),
        out_dir / f"{txt_path.stem}.pdf",
        committee=entry.committee,
        meeting_date=entry.meeting_date,
        doc_type_header=None if header in raw[:500] else header,
    )


# -------------------------------------------------------------------- bad inputs

#: A small, complete meeting document: the content of the encrypted and scanned PDFs.
SAMPLE_MEETING_TEXT = """\
1. Godkendelse af referat

1.1. Godkendelse af referat fra mødet den 20. april 2021

SAG-2021-02179 bel

Baggrund

Referatet fra mødet i KKR Syddanmark den 20. april 2021 kan læses på KL's hjemmeside.

Indstilling

Det indstilles, at KKR Syddanmark godkender referatet.

Beslutning

KKR Syddanmark godkendte referatet.

2. Regionalpolitiske sager

2.1. Botilbudskapacitet og lånepulje

SAG-2021-02179 anjh

Baggrund

I sagen gives en status på Socialdirektørforums arbejde med den kommunale botilbudskapacitet i Syddanmark – herunder borgere med dobbeltdiagnose og udviklingshæmmede med dom.

Indstilling

Det indstilles, at KKR Syddanmark tager orienteringen til efterretning.
"""

#: Real text with footers but no "N.M. Title" agenda items: an invitation letter.
NO_ITEMS_TEXT = """\
Invitation til temadag om den grønne omstilling

KKR Syddanmark inviterer kommunalbestyrelsernes medlemmer til en temadag om den grønne omstilling i de syddanske kommuner. Dagen byder på oplæg fra kommuner, forskere og virksomheder og på drøftelser i mindre grupper om, hvordan kommunerne i fællesskab kan nå målene i klimahandleplanerne.

Program

Velkomst ved formanden for KKR Syddanmark. Oplæg om status for klimahandleplanerne i Syddanmark. Drøftelser i grupper om energi, transport og landbrug. Opsamling og afslutning.

Tilmelding sker til sekretariatet senest fjorten dage før arrangementet. Der serveres frokost, og deltagelse er gratis for kommunalbestyrelsernes medlemmer.
"""


def meeting_pdf_bytes(text: str = SAMPLE_MEETING_TEXT, *, meeting_date: date | None = date(2021, 6, 9)) -> bytes:
    """A meeting PDF in memory, the raw material for the damaged variants."""
    pdf = _render(text, committee="KKR Syddanmark", meeting_date=meeting_date, doc_type_header="REFERAT")
    return bytes(pdf.output())


def write_corrupt_pdf(path: Path) -> Path:
    """A download that broke off: a real PDF's first third, then garbage; no xref, no %%EOF.

    pypdf cannot open it (it finds no EOF marker and no cross-reference table), which
    is what the ingestion sees on a truncated file.
    """
    good = meeting_pdf_bytes()
    garbage = random.Random(20210609).randbytes(2048)
    path.write_bytes(good[: len(good) // 3] + garbage)
    return path


ENCRYPTED_USER_PASSWORD = "hemmelig"


def write_encrypted_pdf(path: Path) -> Path:
    """A real meeting PDF encrypted with a user password, so it cannot be opened without it.

    RC4-128 because pypdf implements it itself; AES needs the cryptography package,
    which is not in requirements.txt.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(meeting_pdf_bytes())))
    writer.encrypt(
        user_password=ENCRYPTED_USER_PASSWORD, owner_password="ejer-" + ENCRYPTED_USER_PASSWORD, algorithm="RC4-128"
    )
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _page_image(text: str, *, dpi: int = 120) -> object:
    """A white A4 page with ``text`` drawn on it, like a scan of a printed page."""
    from PIL import Image, ImageDraw, ImageFont  # Pillow comes with fpdf2

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(body_font().regular), size=round(dpi * 0.15))
    bold = ImageFont.truetype(str(body_font().bold), size=round(dpi * 0.16))
    margin = round(dpi * LEFT_MARGIN_MM / 25.4)
    usable = width - margin - round(dpi * RIGHT_MARGIN_MM / 25.4)
    y = round(dpi * TOP_MARGIN_MM / 25.4)
    step = round(dpi * 0.23)

    def fits(candidate: str) -> bool:
        return draw.textlength(candidate, font=font) <= usable

    for block in text.split("\n\n"):
        block = block.strip()
        heading = bool(_ITEM_RE.match(block) or _GROUP_RE.match(block) or block in SECTION_NAMES)
        for line in wrap_text(block, fits, hyphenate=not heading):
            draw.text((margin, y), line, fill=0, font=bold if heading else font)
            y += step
        y += step // 2
    draw.text((margin, height - margin), "KKR Syddanmark | 09-06-2021        SIDE | 1", fill=60, font=font)
    return image


def write_image_only_pdf(path: Path) -> Path:
    """A scanned meeting page: the page is one picture of text and has no text layer."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_page()
    pdf.image(_page_image(SAMPLE_MEETING_TEXT), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(path))
    return path


def write_empty_file(path: Path) -> Path:
    """A zero-byte file, as left by a failed download or copy."""
    path.write_bytes(b"")
    return path


def write_no_items_pdf(path: Path) -> Path:
    """A well-formed, text-bearing KKR PDF that is not a meeting document (no agenda items)."""
    return write_meeting_pdf(NO_ITEMS_TEXT, path, meeting_date=date(2023, 2, 7), doc_type_header="INVITATION")


def write_unsupported_file(path: Path) -> Path:
    """A file with an extension the ingestion does not read (a .docx holding junk)."""
    path.write_bytes(b"PK\x03\x04" + random.Random(4).randbytes(512) + b"this is not a Word document")
    return path


def write_bad_files(directory: Path) -> dict[str, Path]:
    """Every bad input, keyed by the reason the ingestion should report for it.

    The letter without agenda items (:func:`write_no_items_pdf`) is not among them:
    a readable file is indexed by the fallback layout, not refused.
    """
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "corrupt": write_corrupt_pdf(directory / "beskadiget.pdf"),
        "encrypted": write_encrypted_pdf(directory / "krypteret.pdf"),
        "image_only": write_image_only_pdf(directory / "scannet.pdf"),
        "empty": write_empty_file(directory / "tom.pdf"),
        "unsupported": write_unsupported_file(directory / "referat.docx"),
    }


# ------------------------------------------------------------- FirstAgenda layout

#: Danish month and weekday names for the "Mødedato" line.
_MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
              "november", "december")
_WEEKDAYS_DA = ("Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag")


@dataclass(frozen=True)
class FirstAgendaItem:
    """One item as FirstAgenda prints it.

    ``sections`` are (head as printed, text) pairs; a newline in the text starts a
    new printed line ("Udvalg: …" / "Dato: …" in a Sagsforløb). ``shown_title``
    is what the item line prints when it is cut short; the table of contents
    always has the full ``title``.
    """

    number: int
    title: str
    case_number: str | None = None
    sections: tuple[tuple[str, str], ...] = ()
    shown_title: str | None = None


class _FirstAgendaPDF(_A4PDF):
    """FirstAgenda's page: the document's first line as a running header, "Side N af M" below."""

    def __init__(self, running_header: str) -> None:
        super().__init__()
        self.running_header = running_header
        self.alias_nb_pages("{nb}")

    def header(self) -> None:
        if self.page_no() < 2:
            return
        self.set_font(FONT, "", 8)
        self.set_xy(LEFT_MARGIN_MM, 10)
        self.cell(BODY_WIDTH_MM, 4, self.running_header)
        self.set_xy(LEFT_MARGIN_MM, TOP_MARGIN_MM)

    def footer(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_xy(LEFT_MARGIN_MM, -16)
        self.cell(BODY_WIDTH_MM, 4, f"Side {self.page_no()} af {{nb}}", align="R")


def _render_firstagenda(
    items: list[FirstAgendaItem], *, first_line: str, meeting_line: str, place: str, pages: dict[int, int]
) -> tuple[_FirstAgendaPDF, dict[int, int]]:
    pdf = _FirstAgendaPDF(first_line)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    _line(pdf, first_line)
    pdf.set_font(FONT, "", BODY_PT)
    _line(pdf, meeting_line)
    _line(pdf, f"Mødested {place}")
    pdf.ln(LINE_MM)
    pdf.set_font(FONT, "B", BODY_PT + 1)
    _line(pdf, "Indholdsfortegnelse")
    pdf.set_font(FONT, "", BODY_PT - 1)
    fits = _fits_width(pdf, BODY_WIDTH_MM - 30)
    for item in items:
        # The entry wraps like the item line; the last line ends in leaders and the page.
        lines = wrap_text(f"Punkt {item.number}: {item.title}", fits, hyphenate=False)
        for line in lines[:-1]:
            _line(pdf, line)
        leaders = "." * max(3, int((BODY_WIDTH_MM - pdf.get_string_width(lines[-1]) - 8) / pdf.get_string_width(".")))
        _line(pdf, f"{lines[-1]} {leaders} {pages.get(item.number, 0)}")
    found: dict[int, int] = {}
    for item in items:
        pdf.add_page()
        found[item.number] = pdf.page_no()
        pdf.set_font(FONT, "B", BODY_PT + 2)
        for line in wrap_text(f"Punkt {item.number}: {item.shown_title or item.title}",
                              _fits_width(pdf, BODY_WIDTH_MM), hyphenate=False):
            _line(pdf, line)
        if item.case_number:
            pdf.set_font(FONT, "", BODY_PT - 1)
            _line(pdf, item.case_number)
        pdf.ln(LINE_MM * 0.5)
        for head, text in item.sections:
            pdf.ln(LINE_MM * 0.5)
            _ensure_room(pdf, LINE_MM * 3)
            pdf.set_font(FONT, "B", BODY_PT)
            _line(pdf, head)
            for paragraph in text.split("\n"):
                _render_paragraph(pdf, paragraph)
    return pdf, found


def write_firstagenda_pdf(
    path: Path,
    items: list[FirstAgendaItem],
    *,
    committee: str = "Aarhus Byråd",
    meeting_date: date = date(2025, 8, 27),
    doc_type: str = "REFERAT",
    place: str = "Rådhuset, byrådssalen",
) -> Path:
    """Write minutes (or, with ``doc_type="DAGSORDEN"``, an agenda) in FirstAgenda's layout.

    First line "REFERAT Aarhus Byråd d. 27-08-2025" (repeated as every later
    page's header), a "Mødedato Onsdag d. 27. august 2025 kl. 16:00" line, a table
    of contents with dotted leaders and the real page numbers, then each item on
    a page of its own. Rendered twice so the contents can name the pages.
    """
    first_line = f"{doc_type} {committee} d. {meeting_date:%d-%m-%Y}"
    weekday = _WEEKDAYS_DA[meeting_date.weekday()]
    meeting_line = (f"Mødedato {weekday} d. {meeting_date.day}. {_MONTHS_DA[meeting_date.month - 1]} "
                    f"{meeting_date.year} kl. 16:00")
    _, pages = _render_firstagenda(items, first_line=first_line, meeting_line=meeting_line, place=place, pages={})
    pdf, _ = _render_firstagenda(items, first_line=first_line, meeting_line=meeting_line, place=place, pages=pages)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


#: A council's minutes in FirstAgenda's layout, written for the tests (not a real document).
FIRSTAGENDA_ITEMS = [
    FirstAgendaItem(1, "Godkendelse af dagsorden", "EMN-2025-000101", (
        ("Beslutninger", "Dagsordenen blev godkendt."),
    )),
    FirstAgendaItem(
        2,
        "Svar på forslag fra DD om principbeslutning om at sikre Havnens fremtid som rekreativt område for borgerne",
        "EMN-2025-003383",
        (
            ("Beslutninger", ("Forslaget blev forkastet med 19 stemmer mod 12. Byrådet bad i stedet Magistraten "
                              "om en redegørelse for havnearealernes anvendelse inden udgangen af 2026.")),
            ("BESLUTNINGSFORSLAG FRA DD", ("Byrådet bedes beslutte, at havnearealet ved Pier 4 forbliver et "
                                           "rekreativt område, og at der ikke opføres boliger på arealet.")),
            ("INDSTILLING FRA MAGISTRATSAFDELINGEN FOR TEKNIK OG MILJØ",
             "Magistraten indstiller, at forslaget forkastes, da arealet indgår i den vedtagne helhedsplan."),
            ("Resume", "Forslagsstillerne ønsker havnearealet sikret som rekreativt område for borgerne."),
            ("Beslutningspunkter", "At 1) forslaget om en principbeslutning forkastes."),
            ("Baggrund:", ("Helhedsplanen for havnen blev vedtaget i 2023 og rummer både boliger og "
                           "rekreative arealer langs kajen.")),
            ("Sagsforløb", ("Udvalg: Teknisk Udvalg\nDato: 26-03-2025\nPunktnummer: 21\n"
                            "Udvalg: Magistraten\nDato: 05-05-2025\nPunktnummer: 7")),
        ),
    ),
    FirstAgendaItem(3, "Bro mellem Dokk1 og Balticagade", "EMN-2025-004120", (
        ("Beslutninger", ("Byrådet godkendte en anlægsbevilling på 48 mio. kr. til en gang- og cykelbro "
                          "mellem Dokk1 og Balticagade.")),
        ("Begrundelse:", "Broen forbinder de nye bydele med midtbyen og aflaster Havnegade for cyklister."),
    )),
    FirstAgendaItem(
        4,
        "Udbud af rengøring på kommunens skoler og daginstitutioner",
        "EMN-2025-002211",
        (("Beslutninger", "Byrådet godkendte, at rengøringen sendes i udbud med start 1. april 2026."),),
        shown_title="Udbud af rengøring på kommunens skoler og",
    ),
    FirstAgendaItem(5, "Lukket: Køb af landbrugsejendom"),
]


# ------------------------------------------------------------------ hostile PDFs

HOSTILE_KINDS = ("unsupported_filter", "unicode_limit", "jbig2")


def write_hostile_pdf(path: Path, kind: str) -> Path:
    """A small meeting PDF broken in one of the ways that escape pypdf's usual errors.

    ``unsupported_filter`` makes pypdf raise NotImplementedError ("Unsupported
    filter"), ``unicode_limit`` a LimitReachedError (a /ToUnicode code longer than
    pypdf allows), ``jbig2`` a DependencyError (a filter needing an external program).
    The PDF is written uncompressed so the edit can be made on its text.
    """
    pdf = _render("1.1. Botilbud\nBeslutning\nKKR Syddanmark godkendte indstillingen.", committee="KKR Syddanmark",
                  meeting_date=date(2023, 11, 21), doc_type_header="REFERAT")
    pdf.compress = False
    data = bytes(pdf.output())
    if kind == "unicode_limit":
        data = data.replace(b"<0001> <", b"<" + b"0" * 38 + b"1> <", 1)
    else:
        stream = data.index(b"stream\n", data.index(b"/Contents"))
        dictionary_end = data.rindex(b">>", 0, stream)
        name = b"/FooDecode" if kind == "unsupported_filter" else b"/JBIG2Decode"
        data = data[:dictionary_end] + b"/Filter " + name + b"\n" + data[dictionary_end:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ pages of any council's layout


class _PagedPDF(_A4PDF):
    """Pages with running lines of the caller's choosing; "{page}" and "{pages}" are filled in."""

    def __init__(self, header: tuple[str, ...], footer: tuple[str, ...]) -> None:
        super().__init__()
        self.running_header = header
        self.running_footer = footer
        self.alias_nb_pages("{pages}")

    def header(self) -> None:
        if not self.running_header:
            return
        self.set_font(FONT, "", 8)
        self.set_xy(LEFT_MARGIN_MM, 6)
        for line in self.running_header:
            self.cell(BODY_WIDTH_MM, 3.4, line.replace("{page}", str(self.page_no())),
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_xy(LEFT_MARGIN_MM, TOP_MARGIN_MM + 3.4 * max(0, len(self.running_header) - 3))

    def footer(self) -> None:
        if not self.running_footer:
            return
        self.set_font(FONT, "", 8)
        self.set_xy(LEFT_MARGIN_MM, -8 - 4 * len(self.running_footer))
        for line in self.running_footer:
            self.cell(BODY_WIDTH_MM, 4, line.replace("{page}", str(self.page_no())), align="R",
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def write_pages_pdf(
    path: Path,
    pages: list[list[str]],
    *,
    header: tuple[str, ...] = (),
    footer: tuple[str, ...] = (),
) -> Path:
    """Write ``pages`` (each a list of lines) as a PDF, one given page per PDF page.

    A line starting "# " is printed bold (a heading) without the marker; any
    other line is body text, wrapped at the page width. ``header`` and
    ``footer`` are running lines printed on every page ("Side {page} af
    {pages}"), the shape councils' systems give their minutes. A page's
    lines must fit on it: the test decides where pages break (a heading on a
    page's last line), so an overflowing page is an error.
    """
    pdf = _PagedPDF(header, footer)
    pdf.set_auto_page_break(auto=False)
    for page in pages:
        pdf.add_page()
        for line in page:
            bold = line.startswith("# ")
            pdf.set_font(FONT, "B" if bold else "", BODY_PT)
            text = line[2:] if bold else line
            for wrapped in wrap_text(text, _fits_width(pdf, BODY_WIDTH_MM), hyphenate=False):
                if pdf.get_y() > pdf.h - BOTTOM_MARGIN_MM:
                    raise ValueError(f"page {pdf.page_no()} overflows at {wrapped!r}")
                _line(pdf, wrapped)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
