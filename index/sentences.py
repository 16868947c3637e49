"""Danish sentence boundaries, for quoting the minutes and for checking a model's reply.

NLTK's Danish Punkt model (bundled with llama-index-core, so nothing is
downloaded) does the splitting. Its abbreviation list misses some that the
minutes use before capitalised names ("jf. Lov om ...", "pga. afbud",
"bl.a. Middelfart Kommune"), so those are added. Abbreviations that usually end
a sentence ("kr.", "osv.", "m.m.") stay out: a missed split only merges two
sentences, a wrong split quotes half of one.
"""

from __future__ import annotations

import re
from functools import lru_cache

ABBREVIATIONS = frozenset({
    "adm", "ang", "bl.a", "ca", "dir", "dr", "dvs", "ekskl", "evt", "f.eks", "fx", "hhv", "hr", "ift", "iht",
    "inkl", "jf", "kap", "kl", "mht", "mia", "mio", "nr", "pga", "pkt", "prof", "sa", "sml", "st", "stk", "tlf",
    "vedr", "jan", "feb", "aug", "sep", "sept", "okt", "nov", "dec",
})
PARAGRAPH_RE = re.compile(r"\n\s*\n")
LAST_WORD_RE = re.compile(r"(?:^|\s)([\wæøå.]+?)\.$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _punkt():
    from llama_index.core.utils import globals_helper
    from nltk.tokenize.punkt import PunktTokenizer

    globals_helper.wait_for_nltk_check()  # puts llama-index's bundled NLTK data on nltk's path
    tokenizer = PunktTokenizer("danish")
    tokenizer._params.abbrev_types.update(ABBREVIATIONS)
    return tokenizer


def split_line(text: str) -> list[str]:
    """The sentences of one line or paragraph.

    Punkt still splits after a known abbreviation when the next word is one it
    often saw starting a sentence ("jf. Lov om ..."); those splits are undone.
    """
    sentences: list[str] = []
    for sentence in (s.strip() for s in _punkt().tokenize(text.strip()) if s.strip()):
        if sentences and _ends_in_abbreviation(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {sentence}"
        else:
            sentences.append(sentence)
    return sentences


def _ends_in_abbreviation(sentence: str) -> bool:
    match = LAST_WORD_RE.search(sentence)
    return bool(match) and match[1].lower() in ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """The sentences of a text whose paragraphs are separated by blank lines."""
    return list(_split_cached(text))


@lru_cache(maxsize=4096)
def _split_cached(text: str) -> tuple[str, ...]:
    """Every answer re-reads the sections of its items; Punkt splits each section once."""
    return tuple(sentence for paragraph in PARAGRAPH_RE.split(text) for sentence in split_line(paragraph))
