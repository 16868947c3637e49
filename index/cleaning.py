"""Turn PDF-extracted lines back into the text of the document.

KL's PDFs, and text extracted from them, carry running footers, page numbers,
words hyphenated across line breaks and lines wrapped at the page width. No
library repairs Danish line-end hyphenation or KL's footer shape, so these few
rules are written by hand; each is pinned by a test with the real snippet.
"""

from __future__ import annotations

import re
from datetime import date

from index.schema import Line

# "KKR Syddanmark  | 09-06-2021" — the running footer; the date is meeting metadata.
FOOTER_RE = re.compile(r"^\s*(?P<committee>[^|]{2,80}?)\s*\|\s*(?P<date>\d{2}-\d{2}-\d{4})\s*$")
# " SIDE  |  15", "Side 3 af 12", or a bare page number.
PAGE_NUMBER_RE = re.compile(r"^\s*(?:(?:side|SIDE|Side)\s*\|?\s*\d{1,4}(?:\s*af\s*\d{1,4})?|\d{1,3})\s*$")
SIDE_RE = re.compile(r"^\s*(?:side|SIDE|Side)\s*\|\s*\d{1,4}\s*$")
# The committee name alone ("KKR Syddanmark"): what a footer is when the date is unknown.
COMMITTEE_LINE_RE = re.compile(r"^(?:KKR|KL)\s+[A-ZÆØÅ][\wæøå]+(?:\s+[A-ZÆØÅ][\wæøå]+)?\s*\|?$")
MARKDOWN_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# "./." (or "./", "./..") marks an enclosure; it may follow a bullet: "- ./.".
BILAG_MARKER_RE = re.compile(r"^(\s*(?:[–•▪·*-]\s+)?)\./\.*\s*")
URL_TAIL_RE = re.compile(r"(?:https?://|www\.)\S*$")
# Abbreviations after which a line break does not end the sentence: "ca." + "60.000 kr.".
ABBREVIATION_END_RE = re.compile(
    r"\b(?:ca|bl\.a|jf|pkt|nr|f\.eks|fx|inkl|ekskl|vedr|dvs|evt|mht|ift|iht|adm|max|min|d)\.$", re.IGNORECASE
)
BULLET_RE = re.compile(r"^\s*(?:[–•▪·*]|-(?=\s))\s*")
NUMBERED_LIST_RE = re.compile(r"^\s*\d{1,2}\.\s+[A-ZÆØÅ\"“]")
TERMINAL_PUNCTUATION = (".", ":", "!", "?")

# Words that follow a real hyphen at a line end: "social-" + "og sundhedsområdet".
_CONJUNCTIONS = {"og", "eller", "samt"}
# Lower-case prefixes that keep their hyphen: "it-" + "driftsenheder".
_HYPHEN_PREFIXES = {"it", "e", "ph", "tv", "pc", "sms", "cpr", "co2", "ikt"}


def parse_dmy(text: str) -> date | None:
    """Parse "21-11-2023" (KL's footer and header format); None when it is not a real date."""
    match = re.search(r"(\d{2})-(\d{2})-(\d{4})", text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def strip_running_lines(lines: list[Line]) -> tuple[list[Line], list[date], list[str]]:
    """Drop footers and page numbers, returning the footer dates and committees they named.

    A bare number only counts as a page number on the first or last line of a PDF
    page; in a text file "2021" alone on a line is a wrapped title, not a page.
    """
    kept: list[Line] = []
    dates: list[date] = []
    committees: list[str] = []
    last_on_page = _last_line_index_per_page(lines)
    first_on_page = _first_line_index_per_page(lines)
    dateless_footers = _dateless_footer_lines(lines)
    for index, line in enumerate(lines):
        if index in dateless_footers:
            continue
        footer = FOOTER_RE.match(line.text)
        if footer and (found := parse_dmy(footer["date"])):
            dates.append(found)
            committees.append(footer["committee"].strip())
            continue
        if PAGE_NUMBER_RE.match(line.text):
            bare = line.text.strip().isdigit()
            at_page_edge = index in last_on_page or index in first_on_page
            if not bare or (line.page is not None and at_page_edge):
                continue
        kept.append(line)
    return kept, dates, committees


def _dateless_footer_lines(lines: list[Line]) -> set[int]:
    """A footer without a date is just the committee name, right before "SIDE | N".

    Only a short line directly followed (blank lines aside) by a page-number
    line counts, so the committee's name in running text is never removed.
    """
    found: set[int] = set()
    previous: int | None = None
    for index, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            continue
        if previous is not None and SIDE_RE.match(text):
            candidate = lines[previous].text.strip()
            if COMMITTEE_LINE_RE.match(candidate):
                found.add(previous)
        previous = index
    return found


def _last_line_index_per_page(lines: list[Line]) -> set[int]:
    last: dict[int | None, int] = {}
    for index, line in enumerate(lines):
        if line.text.strip():
            last[line.page] = index
    return set(last.values())


def _first_line_index_per_page(lines: list[Line]) -> set[int]:
    first: dict[int | None, int] = {}
    for index, line in enumerate(lines):
        if line.text.strip():
            first.setdefault(line.page, index)
    return set(first.values())


def clean_inline(text: str) -> str:
    """Remove link markup and bilag markers ("./."), and normalise spaces, keeping the words."""
    text = MARKDOWN_LINK_RE.sub(r"\1", text)
    text = BILAG_MARKER_RE.sub(r"\1", text)
    text = text.replace("\u00a0", " ").replace("\u00ad", "").replace("\t", " ")
    text = re.sub(r"[ ]{2,}", " ", text).strip()
    return "" if text in ("-", "–", "•", "*") else text  # a bullet whose only content was a marker


def join_wrapped(previous: str, following: str) -> str:
    """Join two wrapped lines, repairing a word hyphenated across the break.

    "botilbudskapacite-" + "ten" is one word; "SOSU-" + "uddannelserne",
    "2024-" + "2027" and "social-" + "og sundhedsområdet" keep their hyphen.
    """
    previous = previous.rstrip()
    following = following.lstrip()
    if not previous:
        return following
    if not following:
        return previous
    if URL_TAIL_RE.search(previous) and previous.endswith(("-", "/", "_", ".", "=")):
        return previous + following  # a web address wrapped mid-way: no hyphen repair, no space
    if previous.endswith("-") and len(previous) >= 2 and previous[-2].isalnum():
        word_before = re.split(r"[^\wæøåÆØÅ]", previous[:-1])[-1]
        next_word = re.split(r"[^\wæøåÆØÅ]", following)[0]
        if next_word.lower() in _CONJUNCTIONS:
            return f"{previous} {following}"
        if (
            word_before[-1:].islower()
            and following[:1].islower()
            and word_before.lower() not in _HYPHEN_PREFIXES
        ):
            return previous[:-1] + following
        return previous + following
    return f"{previous} {following}"


def is_bullet(text: str) -> bool:
    return bool(BULLET_RE.match(text)) and not text.strip().startswith("--")


def starts_block(text: str) -> bool:
    """A line that begins a paragraph of its own whatever came before: a bullet or a list entry."""
    return is_bullet(text) or bool(NUMBERED_LIST_RE.match(text))


def assemble_paragraphs(lines: list[Line | None], short_line: int) -> list[tuple[str, int | None]]:
    """Join wrapped lines into paragraphs; ``None`` in ``lines`` marks a hard break.

    A paragraph ends at a hard break, before a bullet or numbered entry, or after
    a line that ends a sentence (or is short) when the next line starts with a
    capital or a digit. Wrapped lines after "den 21." start in lower case, so
    they stay joined.
    """
    paragraphs: list[tuple[str, int | None]] = []
    current: list[str] = []
    current_page: int | None = None
    last_raw = ""

    def flush() -> None:
        nonlocal current
        if current:
            text = current[0]
            for part in current[1:]:
                text = join_wrapped(text, part)
            text = normalise_bullet(text)
            if text:
                paragraphs.append((text, current_page))
        current = []

    for line in lines:
        if line is None:
            flush()
            continue
        text = clean_inline(line.text)
        if not text:
            continue
        if current and _ends_paragraph(last_raw, text, short_line):
            flush()
        if not current:
            current_page = line.page
        current.append(text)
        last_raw = text
    flush()
    return paragraphs


def _ends_paragraph(previous: str, following: str, short_line: int) -> bool:
    if starts_block(following):
        return True
    if previous.endswith("-") or ABBREVIATION_END_RE.search(previous):
        return False
    next_is_capital = following[:1].isupper() or following[:1].isdigit() or following[:1] in "\"“'("
    if not next_is_capital:
        return False
    return previous.endswith(TERMINAL_PUNCTUATION) or len(previous) < short_line


def normalise_bullet(text: str) -> str:
    """Write every bullet as "– text" so PDF and text sources read the same."""
    if is_bullet(text):
        return "– " + BULLET_RE.sub("", text, count=1).strip()
    return text.strip()


def typical_line_length(lines: list[Line]) -> int:
    """The width body text wraps at; a line much shorter than this ended its paragraph."""
    lengths = sorted(len(line.text.strip()) for line in lines if len(line.text.strip()) > 20)
    if not lengths:
        return 80
    return lengths[int(len(lengths) * 0.9)]


# A running header or footer repeats at a page edge on at least this share of the pages.
RUNNING_SHARE = 0.5
RUNNING_MAX_LENGTH = 120
RUNNING_MAX_LINES = 6


def strip_repeated_page_edges(lines: list[Line]) -> list[Line]:
    """Drop running headers and footers: a line that opens or closes many pages alike.

    KL's pages may carry the committee's name at the top, FirstAgenda's carry
    "REFERAT Aarhus Byråd d. 27-08-2025" and "Side 3 af 28". Left in, a header
    that follows an item title at a page break becomes part of the title
    ("Siden sidst KKR Syddanmark"). A line counts when, with its digits ignored,
    it is the first or last line on at least two pages and half of them; the
    first page's copy goes too. A header of several lines ("Sundheds- og
    Forebyggelsesudvalget / Referat / Åbent referat / Dato: 04.12.2012 / Side 3")
    goes line by line, each at the page's edge once the one above it is gone. Text files have no pages and are left alone.
    """
    pages = {line.page for line in lines if line.page is not None and line.text.strip()}
    if len(pages) < 2:
        return lines
    kept = lines
    for _ in range(RUNNING_MAX_LINES):  # a header of several lines: each is at the edge once the one above is gone
        edges = _page_edges(kept)
        counts: dict[str, set[int | None]] = {}
        for index in edges:
            counts.setdefault(_edge_key(kept[index].text), set()).add(kept[index].page)
        running = {key for key, on_pages in counts.items() if _is_running(key, len(on_pages), len(pages))}
        if not running:
            break
        kept = [line for index, line in enumerate(kept) if not (index in edges and _edge_key(line.text) in running)]
    return kept


def _is_running(key: str, on_pages: int, pages: int) -> bool:
    if not key or on_pages < 2 or on_pages < RUNNING_SHARE * pages:
        return False
    # One word ("Beslutning") at the top of two pages may be chance: ask for most pages.
    return " " in key or (on_pages >= 3 and on_pages >= 0.8 * pages)


def _page_edges(lines: list[Line]) -> set[int]:
    return _first_line_index_per_page(lines) | _last_line_index_per_page(lines)


def _edge_key(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > RUNNING_MAX_LENGTH:
        return ""
    return re.sub(r"\d+", "#", text).casefold()
