"""PDF ingestion and bad input, through the CLI contract ``python -m index inspect PATH... --json``.

The corpus texts were extracted from KL's PDFs; :mod:`tests.pdf_factory` turns each
back into a PDF with KL's layout (running footer with the meeting date, page
numbers, words hyphenated at line ends in other places than in the text). Parsing
the PDF must give the same agenda items, case numbers, sections and text as parsing
the text file, and the date must come from the page footer when no manifest.csv
sits beside the PDF.

Exit codes (the CLI's convention, pinned here): 0 when every file was read, 1 when
at least one file failed (its error on stderr, the readable files' items still on
stdout), 2 for bad usage. A batch script can thus tell "all fine" from "look at
stderr" without parsing it. Errors are one line per file on stderr, naming the
file and the reason; never a traceback.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from tests.pdf_factory import (
    CORPUS_DIR,
    ENCRYPTED_USER_PASSWORD,
    REPO_ROOT,
    corpus_pdf,
    logical_text,
    read_manifest,
    strip_markup,
    write_bad_files,
    write_meeting_pdf,
)

EXPECTED_ITEM_COUNTS = {
    "kkr-syddanmark-2023-02-07-dagsorden": 12,
    "kkr-syddanmark-2020-09-08-referat": 15,
    "kkr-syddanmark-2021-06-09-referat": 13,
    "kkr-syddanmark-2023-11-21-referat": 13,
    "kkr-syddanmark-2025-referat": 12,
}
STEMS = sorted(EXPECTED_ITEM_COUNTS)
RECORD_KEYS = {
    "source", "committee", "meeting_date", "doc_type", "item", "title", "page", "case_number", "sections",
    "decision_dates", "chunks", "layout", "cues", "warning",
}
GOOD_IN_BAD_BATCH = "kkr-syddanmark-2021-06-09-referat"

# Section text from the PDF and from the text file must be equal after normalising
# whitespace, or differ only the way two honest renderings of one document can: a
# word hyphenated at a line end in one and not the other, where the parser has to
# guess whether the hyphen belongs to the word ("opmærk-" + "som", a URL cut after
# one of its own hyphens). Each such guess costs a character or two. When this was
# written: 197 of 219 sections identical, 6 differing by 1-2 characters (ratio
# >= 0.996), and 16, all in the undated 2025 file, by a footer line left in the text
# (15 characters each). So a section passes with a difflib ratio of at least 0.97
# (a one-word slip in the shortest real section, 39 characters, scores ~0.987) AND
# at most MAX_DIFFERING_CHARS differing characters: in a 5,000-character section a
# lost sentence or a leftover footer keeps the ratio above 0.99, and only the
# character budget notices.
MIN_SECTION_SIMILARITY = 0.97
MAX_DIFFERING_CHARS = 8

# Reasons in stderr, Danish or English. "OCR" is required for a scanned PDF: it is
# the one word that tells the user what to do.
REASON_PATTERNS = {
    "corrupt": r"corrupt|damaged|invalid|beskadige|ødelagt|ugyldig|ulæselig|kan ikke læses",
    "encrypted": r"encrypt|password|krypter|adgangskode",
    "image_only": r"\bOCR\b",
    "empty": r"\bempty\b|\btom\b|0 bytes",
    "no_items": r"agenda items|dagsordenspunkt|no items|ingen punkter",
    "unsupported": r"unsupported|not supported|understøttes ikke|ikke understøttet|filtype|extension|filendelse",
}
# A right-sounding error for the wrong reason is still wrong: a scanned PDF is not
# "corrupt" or "without items", an encrypted one is not "corrupt".
MUST_NOT_LOOK_LIKE = {
    "image_only": ("corrupt", "no_items", "encrypted"),
    "encrypted": ("corrupt", "image_only", "no_items"),
    "corrupt": ("image_only", "no_items", "encrypted"),
    "empty": ("image_only", "no_items", "encrypted"),
    "no_items": ("image_only", "corrupt", "encrypted"),
}


# ----------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class InspectRun:
    """One run of the inspect CLI."""

    returncode: int
    stdout: str
    stderr: str

    def items(self) -> list[dict]:
        """The JSON list on stdout (the contract says: always a list, even when empty)."""
        parsed = json.loads(self.stdout)
        assert isinstance(parsed, list), f"stdout is not a JSON list: {self.stdout[:200]!r}"
        return parsed

    def by_stem(self) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = {}
        for item in self.items():
            grouped.setdefault(Path(item["source"]).stem, []).append(item)
        return grouped


def run_inspect(*paths: Path, as_json: bool = True) -> InspectRun:
    """Run ``python -m index inspect`` as a user would, from the repo root."""
    command = [sys.executable, "-m", "index", "inspect", *map(str, paths)]
    if as_json:
        command.append("--json")
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
    return InspectRun(done.returncode, done.stdout, done.stderr)


def assert_no_traceback(run: InspectRun) -> None:
    for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        assert "Traceback (most recent call last)" not in text, f"traceback on {stream}:\n{text[-3000:]}"


def normalise(text: str) -> str:
    """Whitespace-normalised text, without what only the text extraction has.

    NFC because one corpus word has a decomposed "å"; markdown links, HTML tags and
    markdown table rules because only the converted 2023-11-21 text has them.
    """
    text = strip_markup(unicodedata.normalize("NFC", text))
    text = re.sub(r"(?<!\S)-{2,}(?!\S)", " ", text)
    return " ".join(text.split())


def compare(first: str, second: str) -> tuple[float, int]:
    """difflib's similarity ratio, and how many characters differ (the longer side of each change)."""
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")
    return matcher.ratio(), changed


def manifest_date(stem: str) -> str | None:
    entry = read_manifest()[f"{stem}.txt"]
    return entry.meeting_date.isoformat() if entry.meeting_date else None


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def corpus_pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five corpus documents as PDFs, alone in a folder: no manifest.csv beside them."""
    folder = tmp_path_factory.mktemp("corpus-pdfs")
    for stem in STEMS:
        corpus_pdf(CORPUS_DIR / f"{stem}.txt", folder)
    assert not (folder / "manifest.csv").exists()
    return folder


@pytest.fixture(scope="session")
def pdf_run(corpus_pdf_dir: Path) -> InspectRun:
    return run_inspect(*(corpus_pdf_dir / f"{stem}.pdf" for stem in STEMS))


@pytest.fixture(scope="session")
def txt_run() -> InspectRun:
    """The text files where they live, beside the corpus manifest."""
    return run_inspect(*(CORPUS_DIR / f"{stem}.txt" for stem in STEMS))


@pytest.fixture(scope="session")
def pdf_items(pdf_run: InspectRun) -> dict[str, list[dict]]:
    return pdf_run.by_stem()


@pytest.fixture(scope="session")
def txt_items(txt_run: InspectRun) -> dict[str, list[dict]]:
    return txt_run.by_stem()


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_bad_files(tmp_path_factory.mktemp("bad-input"))


@pytest.fixture(scope="session")
def bad_batch_run(corpus_pdf_dir: Path, bad_files: dict[str, Path]) -> InspectRun:
    """The good PDF first, then every bad file, in one call."""
    return run_inspect(corpus_pdf_dir / f"{GOOD_IN_BAD_BATCH}.pdf", *bad_files.values())


# ------------------------------------------------ the factory makes what we think


def test_factory_pdfs_have_footer_and_page_number_on_every_page(corpus_pdf_dir: Path) -> None:
    for stem in STEMS:
        expected = manifest_date(stem)
        label = f"KKR Syddanmark | {date.fromisoformat(expected):%d-%m-%Y}" if expected else "KKR Syddanmark"
        reader = PdfReader(corpus_pdf_dir / f"{stem}.pdf")
        for number, page in enumerate(reader.pages, start=1):
            lines = page.extract_text().splitlines()
            assert label in lines, f"{stem} page {number}: no footer {label!r}"
            assert f"SIDE | {number}" in lines, f"{stem} page {number}: no page number"


def test_factory_pdfs_hyphenate_at_line_ends(corpus_pdf_dir: Path) -> None:
    """Enough words are split across lines that a parser without repair would fail."""
    for stem in STEMS:
        reader = PdfReader(corpus_pdf_dir / f"{stem}.pdf")
        lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
        split_words = [line for line in lines if re.search(r"[a-zæøå]{2}-$", line)]
        assert len(split_words) >= 50, f"{stem}: only {len(split_words)} hyphenated line ends"


def test_factory_logical_text_keeps_every_item_heading() -> None:
    for stem, expected in EXPECTED_ITEM_COUNTS.items():
        text = logical_text((CORPUS_DIR / f"{stem}.txt").read_text(encoding="utf-8"))
        headings = {m[1] for m in re.finditer(r"(?m)^(\d+\.\d+)\. \S", text)}
        assert len(headings) == expected, f"{stem}: {sorted(headings)}"


def test_factory_bad_files_are_bad_in_the_intended_way(bad_files: dict[str, Path]) -> None:
    with pytest.raises(PdfReadError):
        PdfReader(bad_files["corrupt"]).pages[0].extract_text()
    encrypted = PdfReader(bad_files["encrypted"])
    assert encrypted.is_encrypted and not encrypted.decrypt("")
    assert encrypted.decrypt(ENCRYPTED_USER_PASSWORD)
    assert "Botilbudskapacitet" in "".join(page.extract_text() for page in encrypted.pages)
    scanned = PdfReader(bad_files["image_only"])
    assert [page.extract_text().strip() for page in scanned.pages] == [""]
    assert scanned.pages[0].images, "the scanned page should hold an image"
    assert bad_files["empty"].stat().st_size == 0
    assert bad_files["unsupported"].suffix == ".docx"


# ---------------------------------------------------------- PDF against the text


def test_good_batches_exit_zero_without_errors(pdf_run: InspectRun, txt_run: InspectRun) -> None:
    for run in (pdf_run, txt_run):
        assert_no_traceback(run)
        assert run.returncode == 0, run.stderr
        assert run.stderr.strip() == ""


def test_records_follow_the_contract(pdf_run: InspectRun) -> None:
    for record in pdf_run.items():
        assert set(record) == RECORD_KEYS
        assert re.fullmatch(r"\d+\.\d+", record["item"]), record["item"]
        assert isinstance(record["sections"], dict)
        assert all(isinstance(text, str) for text in record["sections"].values())
        assert isinstance(record["chunks"], int) and record["chunks"] >= 0
        assert record["meeting_date"] is None or date.fromisoformat(record["meeting_date"])


@pytest.mark.parametrize("stem", STEMS)
def test_item_counts(stem: str, pdf_items: dict[str, list[dict]], txt_items: dict[str, list[dict]]) -> None:
    assert len(txt_items.get(stem, [])) == EXPECTED_ITEM_COUNTS[stem], "from the .txt"
    assert len(pdf_items.get(stem, [])) == EXPECTED_ITEM_COUNTS[stem], "from the .pdf"


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_items_match_txt(stem: str, pdf_items: dict[str, list[dict]], txt_items: dict[str, list[dict]]) -> None:
    def key(items: list[dict]) -> list[tuple]:
        return [(item["item"], item["title"], item["case_number"]) for item in items]

    assert key(pdf_items.get(stem, [])) == key(txt_items.get(stem, []))


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_section_names_match_txt(
    stem: str, pdf_items: dict[str, list[dict]], txt_items: dict[str, list[dict]]
) -> None:
    pdf_sections = {item["item"]: list(item["sections"]) for item in pdf_items.get(stem, [])}
    txt_sections = {item["item"]: list(item["sections"]) for item in txt_items.get(stem, [])}
    assert pdf_sections == txt_sections


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_section_text_matches_txt(
    stem: str, pdf_items: dict[str, list[dict]], txt_items: dict[str, list[dict]]
) -> None:
    txt_by_item = {item["item"]: item for item in txt_items.get(stem, [])}
    problems: list[str] = []
    for pdf_item in pdf_items.get(stem, []):
        txt_item = txt_by_item.get(pdf_item["item"])
        if txt_item is None:
            continue  # reported by test_pdf_items_match_txt
        for name, pdf_text in pdf_item["sections"].items():
            if name not in txt_item["sections"]:
                continue  # reported by test_pdf_section_names_match_txt
            ours, theirs = normalise(pdf_text), normalise(txt_item["sections"][name])
            if ours == theirs:
                continue
            ratio, changed = compare(theirs, ours)
            if ratio < MIN_SECTION_SIMILARITY or changed > MAX_DIFFERING_CHARS:
                problems.append(
                    f"{pdf_item['item']} {name}: ratio {ratio:.3f}, {changed} characters differ\n"
                    + _first_difference(theirs, ours)
                )
    assert not problems, "\n\n".join(problems)


def _first_difference(txt: str, pdf: str, context: int = 60) -> str:
    """The first place the texts part, as a short readable excerpt."""
    matcher = difflib.SequenceMatcher(None, txt, pdf, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            return (
                f"  txt: …{txt[max(0, i1 - context) : i2 + context]}…\n"
                f"  pdf: …{pdf[max(0, j1 - context) : j2 + context]}…"
            )
    return ""


@pytest.mark.parametrize("stem", STEMS)
def test_no_running_footer_left_in_pdf_sections(
    stem: str, pdf_items: dict[str, list[dict]], txt_items: dict[str, list[dict]]
) -> None:
    """Every PDF page ends with the footer and page number; none of it may reach the text.

    Counted against the text file, because "KKR Syddanmark" is also ordinary text.
    """
    meeting_date = manifest_date(stem)
    marks = ["SIDE |", "KKR Syddanmark"]
    if meeting_date:
        marks.append(f"| {date.fromisoformat(meeting_date):%d-%m-%Y}")
    txt_by_item = {item["item"]: item for item in txt_items.get(stem, [])}
    problems = []
    for pdf_item in pdf_items.get(stem, []):
        txt_sections = txt_by_item.get(pdf_item["item"], {"sections": {}})["sections"]
        for name, pdf_text in pdf_item["sections"].items():
            ours, theirs = normalise(pdf_text), normalise(txt_sections.get(name, ""))
            for mark in marks:
                if ours.count(mark) > theirs.count(mark):
                    at = ours.rfind(mark)
                    problems.append(f"{pdf_item['item']} {name}: extra {mark!r} in …{ours[max(0, at - 60) : at + 40]}…")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_meeting_facts(stem: str, pdf_items: dict[str, list[dict]], txt_items: dict[str, list[dict]]) -> None:
    """The PDF's date comes from its footer (none for the 2025 file); the text's from the manifest."""
    entry = read_manifest()[f"{stem}.txt"]
    for origin, items in (("pdf", pdf_items.get(stem, [])), ("txt", txt_items.get(stem, []))):
        assert items, f"no items from the {origin}"
        assert {item["meeting_date"] for item in items} == {manifest_date(stem)}, origin
        assert {item["doc_type"] for item in items} == {entry.doc_type}, origin
        assert {item["committee"] for item in items} == {entry.committee}, origin


def test_table_output_without_json(corpus_pdf_dir: Path) -> None:
    stem = "kkr-syddanmark-2023-02-07-dagsorden"
    run = run_inspect(corpus_pdf_dir / f"{stem}.pdf", as_json=False)
    assert_no_traceback(run)
    assert run.returncode == 0, run.stderr
    assert not run.stdout.lstrip().startswith("["), "without --json the output is a table, not JSON"
    for number, title in (("1.1", "Godkendelse af referat"), ("2.8", "Orientering om lægevagtsaftale")):
        assert re.search(rf"{re.escape(number)}\s.*{re.escape(title)}", run.stdout), (number, title)


def test_folder_input_reads_every_pdf_in_it(corpus_pdf_dir: Path, pdf_items: dict[str, list[dict]]) -> None:
    run = run_inspect(corpus_pdf_dir)
    assert_no_traceback(run)
    assert run.returncode == 0, run.stderr
    assert {stem: len(items) for stem, items in run.by_stem().items()} == {
        stem: len(items) for stem, items in pdf_items.items()
    }


def test_manifest_beside_the_pdf_wins_over_the_footer(tmp_path: Path) -> None:
    """A manifest.csv copied beside the PDF (it names the .txt; the stem matches) sets the date.

    The footer says 10-06-2021 on purpose, so the test can tell which source won.
    """
    stem = "kkr-syddanmark-2021-06-09-referat"
    text = logical_text((CORPUS_DIR / f"{stem}.txt").read_text(encoding="utf-8"))
    write_meeting_pdf(text, tmp_path / f"{stem}.pdf", meeting_date=date(2021, 6, 10), doc_type_header="REFERAT")
    alone = run_inspect(tmp_path / f"{stem}.pdf")
    assert {item["meeting_date"] for item in alone.items()} == {"2021-06-10"}, "without manifest: the footer"

    shutil.copyfile(CORPUS_DIR / "manifest.csv", tmp_path / "manifest.csv")
    for target in (tmp_path / f"{stem}.pdf", tmp_path):  # the file itself, or its folder
        run = run_inspect(target)
        assert_no_traceback(run)
        assert run.returncode == 0, run.stderr  # manifest.csv in the folder is not an error
        items = run.items()
        assert len(items) == EXPECTED_ITEM_COUNTS[stem]
        assert {item["meeting_date"] for item in items} == {"2021-06-09"}, target


# ------------------------------------------------------------------- bad input


def test_usage_error_exits_two() -> None:
    run = run_inspect(as_json=False)  # no PATH at all
    assert_no_traceback(run)
    assert run.returncode == 2


def _error_lines(run: InspectRun, path: Path) -> str:
    return "\n".join(line for line in run.stderr.splitlines() if path.name in line)


def test_bad_batch_reports_every_bad_file_with_its_reason(
    bad_batch_run: InspectRun, bad_files: dict[str, Path]
) -> None:
    assert_no_traceback(bad_batch_run)
    problems = []
    for reason, path in bad_files.items():
        message = _error_lines(bad_batch_run, path)
        if not message:
            problems.append(f"{path.name} ({reason}): no error line naming the file")
            continue
        if not re.search(REASON_PATTERNS[reason], message, re.IGNORECASE):
            problems.append(f"{path.name}: expected a '{reason}' reason, got: {message}")
        for other in MUST_NOT_LOOK_LIKE.get(reason, ()):
            if re.search(REASON_PATTERNS[other], message, re.IGNORECASE):
                problems.append(f"{path.name}: reported as '{other}' instead of '{reason}': {message}")
    assert not problems, "\n".join(problems) + f"\n--- stderr ---\n{bad_batch_run.stderr}"


def test_bad_batch_still_yields_the_good_file(
    bad_batch_run: InspectRun, pdf_items: dict[str, list[dict]], bad_files: dict[str, Path]
) -> None:
    assert bad_batch_run.returncode == 1, "some files failed: exit 1, with the good items still printed"
    grouped = bad_batch_run.by_stem()
    assert list(grouped) == [GOOD_IN_BAD_BATCH], "only the good file has items"
    assert grouped[GOOD_IN_BAD_BATCH] == pdf_items[GOOD_IN_BAD_BATCH]
    assert f"{GOOD_IN_BAD_BATCH}.pdf" not in bad_batch_run.stderr


def test_all_bad_batch_exits_one_with_an_empty_list(bad_files: dict[str, Path]) -> None:
    run = run_inspect(*bad_files.values())
    assert_no_traceback(run)
    assert run.returncode == 1
    assert run.items() == []
    assert all(path.name in run.stderr for path in bad_files.values())


def test_inspect_paths_function_agrees_with_the_cli(
    monkeypatch: pytest.MonkeyPatch,
    corpus_pdf_dir: Path,
    bad_files: dict[str, Path],
    bad_batch_run: InspectRun,
) -> None:
    """``index.inspect.inspect_paths`` is the function behind the CLI: same items, one error per bad file."""
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    from index.inspect import inspect_paths

    items, errors = inspect_paths([corpus_pdf_dir / f"{GOOD_IN_BAD_BATCH}.pdf", *bad_files.values()])
    assert items == bad_batch_run.items()
    assert len(errors) == len(bad_files)
    for path, error in zip(bad_files.values(), errors, strict=True):
        assert path.name in error
