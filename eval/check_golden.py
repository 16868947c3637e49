"""Check eval/golden.jsonl against the corpus (stdlib only).

For every answerable question it locates each source item's text in the raw
corpus file (from the item's own heading "N.M. Title" -- not the table of
contents -- to the next item heading), normalises it (de-hyphenation across line
breaks, whitespace runs -> one space) and asserts that every key fact occurs
verbatim in the text of at least one of the question's sources.

A key fact must survive two de-hyphenation variants:
  * strict: only "lowercase-" + newline(s) + "lowercase" is joined;
  * loose:  any "word-" + newline(s) + "word" is joined.
A fact that only matches under one of them straddles a line break whose hyphen
may be real ("SOSU-" + "uddannelserne", "2024-" + "2027") and is rejected.

Run from the repository root:  python eval/check_golden.py [FILE]
FILE defaults to eval/golden.jsonl (minimum 66 questions); any other file,
e.g. eval/holdout.jsonl, is checked the same way with a minimum of 30.
Exit status 0 when everything passes; otherwise every problem is listed.
"""

from __future__ import annotations

import collections
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLDEN = ROOT / "eval" / "golden.jsonl"

# The styles a question is written in: the first seven, and how users type (keywords, lower case without æ/ø/å,
# context before the question).
KINDS = {"decision", "fact", "precedent", "paraphrase", "english", "multipart", "unanswerable", "keyword", "typed",
         "context"}
REFUSAL = "Det kan jeg ikke finde i mødematerialet."
EXPECTED_ITEM_COUNTS = {
    "kkr-syddanmark-2023-02-07-dagsorden.txt": 12,
    "kkr-syddanmark-2020-09-08-referat.txt": 15,
    "kkr-syddanmark-2021-06-09-referat.txt": 13,
    "kkr-syddanmark-2023-11-21-referat.txt": 13,
    "kkr-syddanmark-2025-referat.txt": 12,
}
MIN_QUESTIONS = 66
MIN_QUESTIONS_OTHER = 30  # for a file given on the command line (e.g. eval/holdout.jsonl)

# "2.3. Botilbudskapacitet og lånepulje" -- a title must follow the number, so the
# wrapped cross-reference "3.1. " (nothing after it) in the 2021 file is no heading.
HEADING = re.compile(r"^\s*(\d+)\.(\d+)\.\s+(\S.*?)\s*$")
# Table-of-contents lines: "2.3. Botilbudskapacitet og lånepulje\t8", "3.1. Siden sidst.....\t17"
TOC_LINE = re.compile(r"(\t\s*\d+\s*$)|(\.{4,})")


def split_items(raw: str) -> dict[str, str]:
    """Map item number ("2.3") to the raw text from its heading to the next heading."""
    lines = raw.split("\n")
    heads: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        m = HEADING.match(line)
        if not m or TOC_LINE.search(line):
            continue
        heads.append((i, f"{int(m.group(1))}.{int(m.group(2))}"))
    items: dict[str, str] = {}
    for k, (start, number) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        if number in items:
            raise ValueError(f"item {number} has two headings")
        items[number] = "\n".join(lines[start:end])
    return items


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def normalise_strict(text: str) -> str:
    return _squash(re.sub(r"(?<=[a-zæøå])-[ \t]*\n\s*(?=[a-zæøå])", "", text))


def normalise_loose(text: str) -> str:
    return _squash(re.sub(r"(?<=\w)-[ \t]*\n\s*(?=\w)", "", text))


def beslutning_part(normalised_item: str) -> str:
    """Text after the last 'Beslutning' section heading word ('' if there is none)."""
    starts = [m.end() for m in re.finditer(r"\bBeslutning\b", normalised_item)]
    return normalised_item[starts[-1]:] if starts else ""


def load_corpus() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    with open(CORPUS / "manifest.csv", encoding="utf-8", newline="") as fh:
        manifest = {row["file"]: row["doc_type"] for row in csv.DictReader(fh)}
    items_by_file = {}
    for name in manifest:
        raw = (CORPUS / name).read_text(encoding="utf-8")
        items_by_file[name] = split_items(raw)
    return items_by_file, manifest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python eval/check_golden.py [FILE]", file=sys.stderr)
        return 2
    golden = Path(args[0]).resolve() if args else GOLDEN
    if golden.name.startswith("realworld"):
        return check_real_documents(golden)
    min_questions = MIN_QUESTIONS if golden == GOLDEN.resolve() else MIN_QUESTIONS_OTHER
    errors: list[str] = []
    items_by_file, manifest = load_corpus()
    for name, expected in EXPECTED_ITEM_COUNTS.items():
        got = len(items_by_file.get(name, {}))
        if got != expected:
            errors.append(f"corpus: {name} has {got} items, expected {expected}")

    strict = {f: {n: normalise_strict(t) for n, t in its.items()} for f, its in items_by_file.items()}
    loose = {f: {n: normalise_loose(t) for n, t in its.items()} for f, its in items_by_file.items()}

    ids: set[str] = set()
    kinds = collections.Counter()
    files_used = collections.Counter()
    n = 0
    for lineno, line in enumerate(golden.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        n += 1
        where = f"line {lineno}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: bad JSON ({exc})")
            continue
        for key in ("id", "kind", "question", "answerable", "sources", "answer", "key_facts"):
            if key not in q:
                errors.append(f"{where}: missing field {key!r}")
        if any(key not in q for key in ("id", "kind", "answerable", "sources", "key_facts")):
            continue
        qid = q["id"]
        where = f"{where} ({qid})"
        if qid in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(qid)
        if q["kind"] not in KINDS:
            errors.append(f"{where}: unknown kind {q['kind']!r}")
        kinds[q["kind"]] += 1
        if not isinstance(q["answerable"], bool):
            errors.append(f"{where}: answerable must be true/false")
        if not str(q.get("question", "")).strip() or not str(q.get("answer", "")).strip():
            errors.append(f"{where}: empty question or answer")

        unanswerable = q["kind"] == "unanswerable" or q["answerable"] is False
        if unanswerable:
            if q["kind"] != "unanswerable" or q["answerable"] is not False:
                errors.append(f"{where}: kind 'unanswerable' and answerable false must go together")
            # A near miss (its topic is in the material, the asked fact is not) may name where the topic stands
            # and say in its answer what is missing; a set with "evidence" writes them so.
            if q["sources"] != [] and "evidence" not in q:
                errors.append(f"{where}: unanswerable question must have sources []")
            if q["key_facts"] != []:
                errors.append(f"{where}: unanswerable question must have key_facts []")
            if q.get("answer") != REFUSAL and "evidence" not in q:
                errors.append(f"{where}: unanswerable answer must be {REFUSAL!r}")
            continue

        sources = q["sources"]
        facts = q["key_facts"]
        if not sources:
            errors.append(f"{where}: answerable question without sources")
        most_facts = 4 if q["kind"] == "multipart" else 3  # a two-part question has facts for each part
        if not 1 <= len(facts) <= most_facts:
            errors.append(f"{where}: needs 1-{most_facts} key facts, has {len(facts)}")
        if q["kind"] == "precedent" and len(sources) < 2:
            errors.append(f"{where}: precedent question needs several sources")
        seen_sources = set()
        ok_sources = []
        for s in sources:
            name, item = s.get("source"), s.get("item")
            if (name, item) in seen_sources:
                errors.append(f"{where}: duplicate source {name} {item}")
            seen_sources.add((name, item))
            if name not in items_by_file:
                errors.append(f"{where}: unknown source file {name!r}")
                continue
            if item not in items_by_file[name]:
                errors.append(f"{where}: item {item!r} does not exist in {name}")
                continue
            if q["kind"] == "decision" and manifest[name] != "referat":
                errors.append(f"{where}: decision question on {name}, which has no decisions")
            files_used[name] += 1
            ok_sources.append((name, item))
        for fact in facts:
            if not isinstance(fact, str) or not fact.strip():
                errors.append(f"{where}: empty key fact")
                continue
            if fact != _squash(fact):
                errors.append(f"{where}: key fact {fact!r} has stray whitespace")
            hits = [
                (f, i) for f, i in ok_sources
                if fact in strict[f][i] and fact in loose[f][i]
            ]
            if not hits:
                half = [(f, i) for f, i in ok_sources if fact in strict[f][i] or fact in loose[f][i]]
                why = " (matches only one de-hyphenation variant)" if half else ""
                errors.append(f"{where}: key fact {fact!r} not found in its sources{why}")
                continue
            if q["kind"] == "decision" and not any(
                fact in beslutning_part(strict[f][i]) for f, i in hits
            ):
                errors.append(f"{where}: decision key fact {fact!r} is not in a Beslutning section")

    if n < min_questions:
        errors.append(f"only {n} questions, need at least {min_questions}")
    if kinds["unanswerable"] < 8:
        errors.append(f"only {kinds['unanswerable']} unanswerable questions, need at least 8")
    for name in manifest:
        if files_used[name] == 0:
            errors.append(f"no question uses {name}")

    print(f"{n} questions: " + ", ".join(f"{k}={kinds[k]}" for k in sorted(KINDS)))
    print("source references per file: " + ", ".join(f"{f}={files_used[f]}" for f in sorted(manifest)))
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  - " + e)
        return 1
    print("OK")
    return 0


REALWORLD_TEXT = ROOT.parent / "shared" / "realworld" / "text"


def check_real_documents(path: Path) -> int:
    """A set on the real documents beside the repository: every key fact must stand in its source document.

    Their layouts are many, so a fact is looked up in the document's plain text (realworld/text/, what pypdf
    extracts), whitespace collapsed and case folded; which item holds it is the structure reader's test.
    """
    if not REALWORLD_TEXT.is_dir():
        print(f"skipped: {REALWORLD_TEXT} is not here")
        return 0
    texts = {p.stem: _squash(p.read_text(encoding="utf-8")).casefold() for p in REALWORLD_TEXT.glob("*.txt")}
    errors, ids, kinds, n = [], set(), collections.Counter(), 0
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        n += 1
        q = json.loads(line)
        where = f"line {lineno} ({q.get('id')})"
        if q["id"] in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(q["id"])
        kinds[q["kind"]] += 1
        if q["answerable"] is False and q["key_facts"]:
            errors.append(f"{where}: unanswerable question must have key_facts []")
        for source in q["sources"]:
            if Path(source["source"]).stem not in texts:
                errors.append(f"{where}: unknown source file {source['source']!r}")
        found = [texts.get(Path(source["source"]).stem, "") for source in q["sources"]]
        errors += [f"{where}: key fact {fact!r} not found in its sources" for fact in q["key_facts"]
                   if not any(_squash(fact).casefold() in text for text in found)]
    if n < MIN_QUESTIONS_OTHER or kinds["unanswerable"] < 8:
        errors.append(f"{n} questions, {kinds['unanswerable']} unanswerable: need {MIN_QUESTIONS_OTHER} and 8")
    print(f"{n} questions: " + ", ".join(f"{k}={kinds[k]}" for k in sorted(kinds)))
    for error in errors:
        print("  - " + error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
