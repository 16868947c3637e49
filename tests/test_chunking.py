"""Chunks (index.chunking): metadata, context header, stable ids, size, overlap, nothing dropped.

Most tests run on the bundled corpus; the size tests also chunk a real
snippet (2021-06-09 item 3.1) under a small token budget set through the
environment, restored afterwards.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections import defaultdict

import pytest

from index.chunking import chunk_document, join_pieces
from index.parsing import parse_file
from index.schema import Chunk, MeetingDocument
from index.tokens import count_tokens
from settings import get_settings
from tests.helpers import (
    ALL_FILES,
    CORPUS,
    FILE_2020,
    FILE_2021,
    FILE_2023_02,
    FILE_2023_11,
    FILE_2025,
    ITEM_2021_3_1,
    write_doc,
)

METADATA_KEYS = {
    "source", "committee", "meeting_date", "doc_type", "item", "title", "case_number",
    "section", "page", "chunk_id", "content_hash",
}


@pytest.fixture(scope="module")
def chunked(corpus) -> dict[str, tuple[MeetingDocument, list[Chunk]]]:
    return {name: (document, chunk_document(document)) for name, document in corpus.items()}


def chunks_of(chunked, name: str, item: str, section: str) -> list[Chunk]:
    return [c for c in chunked[name][1] if c.metadata["item"] == item and c.metadata["section"] == section]


def by_section(chunks: list[Chunk]) -> dict[tuple[str, str], list[Chunk]]:
    groups: dict[tuple[str, str], list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        groups[(str(chunk.metadata["item"]), str(chunk.metadata["section"]))].append(chunk)
    return groups


def shared_text(previous: str, following: str) -> str:
    """The longest end of ``previous`` that ``following`` starts with, whitespace normalised."""
    previous = " ".join(previous.split())
    following = " ".join(following.split())
    for size in range(min(len(previous), len(following)), 0, -1):
        if previous.endswith(following[:size]):
            return following[:size]
    return ""


def words(text: str) -> set[str]:
    return set(text.split())


# --- Metadata -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_chunk_has_the_metadata_keys(chunked, name):
    for chunk in chunked[name][1]:
        assert METADATA_KEYS <= set(chunk.metadata), chunk.chunk_id
        assert all(isinstance(value, (str, int, float, bool)) for value in chunk.metadata.values()), chunk.chunk_id
        assert chunk.metadata["chunk_id"] == chunk.chunk_id
        assert chunk.metadata["source"] == name


def test_metadata_of_a_decision_chunk(chunked):
    [chunk] = chunks_of(chunked, FILE_2023_11, "2.3", "Beslutning")

    assert {key: chunk.metadata[key] for key in METADATA_KEYS - {"chunk_id", "content_hash"}} == {
        "source": FILE_2023_11,
        "committee": "KKR Syddanmark",
        "meeting_date": "2023-11-21",
        "doc_type": "referat",
        "item": "2.3",
        "title": "Botilbudskapacitet og lånepulje",
        "case_number": "SAG-2023-04719",
        "section": "Beslutning",
        "page": 0,
    }
    assert re.fullmatch(r"[0-9a-f]{8,64}", str(chunk.metadata["content_hash"]))


def test_metadata_without_meeting_date(chunked):
    [chunk] = chunks_of(chunked, FILE_2025, "2.8", "Beslutning")

    assert chunk.metadata["meeting_date"] == ""
    assert chunk.metadata["case_number"] == "SAG-2025-00639"
    assert chunk.metadata["doc_type"] == "referat"


# --- Context header ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "item", "section", "header"),
    [
        (FILE_2023_11, "2.3", "Beslutning",
         "KKR Syddanmark · referat 21.11.2023 · punkt 2.3 Botilbudskapacitet og lånepulje · Beslutning"),
        (FILE_2025, "2.8", "Beslutning",
         ("KKR Syddanmark · referat dato ikke oplyst · punkt 2.8 Status på etablering af fælles it-driftsenheder "
         "· Beslutning")),
        (FILE_2023_02, "2.2", "Baggrund",
         ("KKR Syddanmark · dagsorden 07.02.2023 · punkt 2.2 Udgiftsudviklingen på det specialiserede "
         "socialområde · Baggrund")),
        (FILE_2020, "3.6", "Indstilling",
         ("KKR Syddanmark · referat 08.09.2020 · punkt 3.6 Årsrapport og regnskab for 2019 og budget 2021 for "
         "Fælleskommunalt Socialsekretariat · Indstilling")),
    ],
)
def test_context_header_starts_the_text(chunked, name, item, section, header):
    chunks = chunks_of(chunked, name, item, section)

    assert chunks
    for chunk in chunks:
        assert chunk.text.startswith(header + "\n")
        assert chunk.text.endswith(chunk.body)
        assert chunk.body.strip()
        assert header not in chunk.body


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_chunk_names_meeting_and_section(chunked, name):
    document, chunks = chunked[name]
    date_text = document.meeting_date.strftime("%d.%m.%Y") if document.meeting_date else "dato ikke oplyst"

    for chunk in chunks:
        first_line = chunk.text.split("\n", 1)[0]
        assert first_line.startswith(f"KKR Syddanmark · {document.doc_type} {date_text} · ")
        assert first_line.endswith(f" · {chunk.metadata['section']}")
        if chunk.metadata["item"]:
            assert f"punkt {chunk.metadata['item']} {chunk.metadata['title']}" in first_line


def test_decision_text_follows_header(chunked):
    [chunk] = chunks_of(chunked, FILE_2021, "3.5", "Beslutning")

    assert chunk.body == (
        "KKR Syddanmark godkendte Fælleskommunalt Sundhedssekretariat årsrapport 2020 og budget for 2022 "
        "samt tog regnskab for 2020 til efterretning."
    )


# --- Participants -------------------------------------------------------------------------------


def test_participants_have_their_own_chunks(chunked):
    document, chunks = chunked[FILE_2023_11]
    participant_chunks = [c for c in chunks if c.metadata["section"] == "Deltagere"]

    assert participant_chunks
    assert chunks[: len(participant_chunks)] == participant_chunks
    for chunk in participant_chunks:
        assert chunk.metadata["item"] == ""
        assert chunk.metadata["title"] == ""
        assert chunk.metadata["meeting_date"] == "2023-11-21"
        assert chunk.text.startswith("KKR Syddanmark · referat 21.11.2023 · Deltagere\n")
    body = " ".join(c.body for c in participant_chunks)
    assert "Deltagere: Knud Erik Langhoff (C) Kolding" in body
    assert "Afbud: Jakob Lykke (A) Esbjerg" in body
    for name in [*document.participants["Deltagere"], *document.participants["Afbud"]]:
        assert name in body


def test_participants_not_in_item_chunks(chunked):
    for chunk in chunked[FILE_2023_11][1]:
        if chunk.metadata["section"] != "Deltagere":
            assert "Knud Erik Langhoff" not in chunk.text
            assert "Kenneth Lundager Muhs" not in chunk.text


@pytest.mark.parametrize("name", [FILE_2020, FILE_2021, FILE_2023_02, FILE_2025])
def test_no_participant_chunks_without_participants(chunked, name):
    assert not [c for c in chunked[name][1] if c.metadata["section"] == "Deltagere"]


# --- Identity -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FILES)
def test_chunk_ids_and_hashes_stable_across_parses(chunked, name):
    again = chunk_document(parse_file(CORPUS / name))

    assert [(c.chunk_id, c.metadata["content_hash"]) for c in again] == [
        (c.chunk_id, c.metadata["content_hash"]) for c in chunked[name][1]
    ]


def test_chunk_ids_carry_the_document_location(chunked, tmp_path):
    """A copy in another folder is another document: same chunks, ids under its own key."""
    shutil.copyfile(CORPUS / FILE_2023_11, tmp_path / FILE_2023_11)

    copy = chunk_document(parse_file(tmp_path / FILE_2023_11))

    original = chunked[FILE_2023_11][1]
    key = (tmp_path / FILE_2023_11).resolve().as_posix()
    assert [c.chunk_id for c in copy] == [key + c.chunk_id.removeprefix(FILE_2023_11) for c in original]
    assert {c.metadata["file_name"] for c in copy} == {FILE_2023_11}
    assert [c.metadata["content_hash"] for c in copy] == [c.metadata["content_hash"] for c in original]


def test_chunk_ids_unique_across_corpus(chunked):
    ids = [c.chunk_id for _, chunks in chunked.values() for c in chunks]

    assert len(ids) == len(set(ids))


def test_content_hash_follows_text(chunked):
    hashes = defaultdict(set)
    for _, chunks in chunked.values():
        for chunk in chunks:
            hashes[chunk.text].add(chunk.metadata["content_hash"])

    assert all(len(found) == 1 for found in hashes.values())
    assert len({h for found in hashes.values() for h in found}) == len(hashes)


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_item_is_citable(chunked, name):
    document, chunks = chunked[name]

    assert {i.number for i in document.items} == {c.metadata["item"] for c in chunks if c.metadata["item"]}


def test_empty_item_gets_title_chunk(chunked):
    # 2020 item 7.1 "Eventuelt" has no text at all.
    chunks = [c for c in chunked[FILE_2020][1] if c.metadata["item"] == "7.1"]

    assert len(chunks) == 1
    assert chunks[0].body == "Eventuelt"


# --- Size, overlap, nothing dropped ---------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_chunk_within_token_budget(chunked, name):
    limit = get_settings().chunk_max_tokens

    for chunk in chunked[name][1]:
        assert count_tokens(chunk.text) <= limit, chunk.chunk_id


def test_long_section_split_into_several_chunks(chunked):
    document, _ = chunked[FILE_2023_11]
    [item] = [i for i in document.items if i.number == "2.3"]
    section = item.section("Sagsfremstilling")
    chunks = chunks_of(chunked, FILE_2023_11, "2.3", "Sagsfremstilling")

    assert count_tokens(section.text) > get_settings().chunk_max_tokens
    assert len(chunks) >= 2
    assert [c.metadata["chunk_index"] for c in chunks] == list(range(len(chunks)))


@pytest.mark.parametrize("name", ALL_FILES)
def test_no_word_of_a_section_dropped(chunked, name):
    document, chunks = chunked[name]
    groups = by_section(chunks)

    for agenda_item in document.items:
        for section in agenda_item.sections:
            if section.text.strip():
                got = words(" ".join(c.body for c in groups[(agenda_item.number, section.name)]))
                assert words(section.text) <= got, (agenda_item.number, section.name, words(section.text) - got)


def test_consecutive_pieces_of_bundled_sections_overlap(chunked):
    pairs = [
        (name, a.chunk_id, b.chunk_id, shared_text(a.body, b.body))
        for name, (_, chunks) in chunked.items()
        for group in by_section(chunks).values()
        for a, b in itertools.pairwise(group)
    ]
    without = [(first, second) for _, first, second, shared in pairs if len(shared) < 3]

    assert len(pairs) > 20
    assert not without, f"{len(without)} of {len(pairs)} consecutive pieces share no text, e.g. {without[:3]}"


SMALL_BUDGET = 120


@pytest.fixture
def small_budget(monkeypatch):
    monkeypatch.setenv("MINUTES_CHUNK_MAX_TOKENS", str(SMALL_BUDGET))
    get_settings.cache_clear()
    yield SMALL_BUDGET
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def snippet_chunks(tmp_path, small_budget) -> tuple[MeetingDocument, list[Chunk]]:
    # 2021-06-09 lines 210-286: item 3.1, whose Baggrund has four paragraphs.
    document = parse_file(write_doc(tmp_path, "referat.txt", ITEM_2021_3_1))
    return document, chunk_document(document)


def test_small_budget_splits_section_within_limit(snippet_chunks, small_budget):
    document, chunks = snippet_chunks
    baggrund = [c for c in chunks if c.metadata["section"] == "Baggrund"]

    assert len(baggrund) >= 3
    assert all(count_tokens(c.text) <= small_budget for c in chunks)
    assert words(document.items[0].section("Baggrund").text) <= words(" ".join(c.body for c in baggrund))
    assert all(
        c.text.startswith("KKR Syddanmark · referat dato ikke oplyst · punkt 3.1 Status for arbejdet i Syddansk "
                          "EU-kontor · Baggrund\n")
        for c in baggrund
    )


def test_small_budget_pieces_overlap(snippet_chunks):
    _, chunks = snippet_chunks
    baggrund = [c for c in chunks if c.metadata["section"] == "Baggrund"]

    shared = [shared_text(a.body, b.body) for a, b in itertools.pairwise(baggrund)]
    assert len(shared) >= 2
    assert all(len(text) >= 3 for text in shared), shared


def test_no_chunk_is_truncated_by_the_embedding_model(embedding_model):
    """The tiktoken bound must keep every chunk, with its "passage: " prompt, within e5's 512 tokens."""
    from index.embedding import PASSAGE_PROMPT, count_model_tokens
    from index.ingest import chunk_paths
    from settings import get_settings

    counts = count_model_tokens([c.text for c in chunk_paths([get_settings().corpus_dir])], prompt=PASSAGE_PROMPT)
    assert len(counts) > 300
    assert max(counts) <= 512


def test_joining_a_sections_pieces_gives_back_the_section(chunked, snippet_chunks):
    """join_pieces undoes the overlap: the section's words once each, in order, for every section."""
    checked = 0
    for document, chunks in [*chunked.values(), snippet_chunks]:
        groups = by_section(chunks)
        for item in document.items:
            for section in item.sections:
                if section.text.strip():
                    joined = join_pieces([c.body for c in groups[(item.number, section.name)]])
                    assert joined.split() == section.text.split(), (document.source, item.number, section.name)
                    checked += 1
    assert checked > 200


def test_joining_keeps_a_heading_on_its_own_line():
    pieces = ["Første afsnit slutter her.\n\nKapacitet til borgere med dom", "borgere med dom Socialdirektørforum peger på det."]
    assert join_pieces(pieces) == (
        "Første afsnit slutter her.\n\nKapacitet til borgere med dom\n\nSocialdirektørforum peger på det."
    )
    assert join_pieces(["et langt afsnit der", "afsnit der fortsætter midt i"]) == "et langt afsnit der fortsætter midt i"
    assert join_pieces([]) == ""
