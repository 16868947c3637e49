"""Danish compounds, split on the material's own words.

Danish writes a compound as one word ("fyrtårnsinitiativer", "botilbudspladser"),
so a question and the minutes may name the same thing in different compounds
("erhvervsfyrtårnene"). Whether an item is about a question's topic, and whether
a question's word is one the material never uses, turn on the parts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

# A stem this long may stand inside a Danish compound ("botilbud" in "botilbudskapaciteten").
COMPOUND_MIN = 5


# Danish joins a compound's parts directly or with a linking -s- or -e- ("fyrtårn-s-initiativ", "børn-e-have").
LINKS = ("s", "e", "")


def compound_parts(wanted: Collection[str], vocabulary: frozenset[str] | set[str],
                   rarity: Mapping[str, float]) -> dict[str, str]:
    """For each stem of ``wanted`` that is a compound of two words of the material, its rarer part.

    The split is the longest first part that the material uses as a word of its
    own, followed by a linking letter or none, and a rest that the material
    also uses as a word, both at least COMPOUND_MIN letters. The rarer part (by
    the items it stands in) is the one that tells the topic: "fyrtårn" in
    "fyrtårnsinitiativ", "botilbud" in "botilbudsplads". No Danish decompounder
    ships offline for Python, and the material's own vocabulary is the lexicon
    such a splitter needs, hence this.
    """
    found: dict[str, str] = {}
    for stem in wanted:
        for cut in range(len(stem) - COMPOUND_MIN, COMPOUND_MIN - 1, -1):
            head = next((stem[cut + len(link):] for link in LINKS
                         if stem.startswith(link, cut) and stem[cut + len(link):] in vocabulary
                         and len(stem) - cut - len(link) >= COMPOUND_MIN), None)
            if head is not None and stem[:cut] in vocabulary:
                found[stem] = max((stem[:cut], head), key=lambda part: rarity.get(part, 0.0))
                break
    return found


def found_stem(stem: str, found: set[str] | frozenset[str]) -> bool:
    """Found as it is, inside a compound, or as the same word with another inflection left on by the stemmer
    ("besvared" for "besvarede" and "besvar" for "besvaret": Danish inflects by suffixes)."""
    if stem in found:
        return True
    if len(stem) < COMPOUND_MIN:
        return False
    return any(stem in word or (len(word) >= COMPOUND_MIN and stem.startswith(word) and len(stem) - len(word) <= 2)
               for word in found)
