"""Read a question in the material's own spelling: how users type is not how the minutes write.

A question typed without Danish letters ("hvem afloeste jane jegind"), in lower
case, or with a typo in a long word ("akutnap") is rewritten word by word to the
spelling the material uses ("Hvem afløste Jane Jegind"), so retrieval, the
embedding and the question's names all meet the minutes' words. Only words the
material never writes as typed are touched, and only towards a word it does
write: the material's vocabulary is the dictionary.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from assistant.material import once, section_texts
from assistant.question import is_english, stopwords
from assistant.retrieval import HybridRetriever, danish_stemmer
from index.lexical import fold

TOKEN_RE = re.compile(r"[^\W\d_]+")
# A typo is mended only in a word this long: in a shorter one, one letter more often makes another word.
TYPO_MIN_LENGTH = 7
# A rare word is written this few times in the whole material, in all its inflections.
RARE_COUNT = 5
SENTENCE_START_RE = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")


class Spellings:
    """The material's words by folded form: each form's count, and whether it is written mid-sentence."""

    def __init__(self, texts, stems: frozenset[str]) -> None:
        self.stems = stems  # the material's folded stems: a word whose stem it uses is no typo
        self.forms: dict[str, Counter[str]] = defaultdict(Counter)
        self.lowercase: set[str] = set()
        self.named: set[str] = set()  # folded words written capitalised inside a sentence: names
        for text in texts:
            for match in TOKEN_RE.finditer(text):
                word = match[0]
                key = fold(word)
                self.forms[key][word] += 1
                if word.islower():
                    self.lowercase.add(key)
                elif word[0].isupper() and not SENTENCE_START_RE.search(text[max(0, match.start() - 3):match.start()]):
                    self.named.add(key)
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for key in self.forms:
            self.by_length[len(key)].append(key)
        keys = list(self.forms)
        self.stem_of = dict(zip(keys, (fold(stem) for stem in danish_stemmer().stemWords(keys)), strict=True))
        self.lower_stems = {self.stem_of[key] for key in self.lowercase}
        self.stem_count: Counter[str] = Counter()
        for key, forms in self.forms.items():
            self.stem_count[self.stem_of[key]] += sum(forms.values())

    def spelled(self, word: str) -> str:
        """The material's spelling of one typed word, or the word as typed."""
        key = fold(word)
        if word.lower() in stopwords() or key in stopwords() or (not word.islower() and word in self.forms[key]):
            return word
        if key not in self.forms and len(key) >= TYPO_MIN_LENGTH and fold(_stem(word)) not in self.stems:
            key = self._one_edit_away(key) or key
        if key not in self.forms:
            return word
        if key in self.lowercase:  # a common word: its Danish letters, the case as typed
            written = max((form for form in self.forms[key] if form.islower()), key=self.forms[key].__getitem__)
            return written if word.islower() else written[:1].upper() + written[1:]
        if key in self.named and word.islower() and self.stem_of[key] not in self.lower_stems:
            # a name typed in lower case: no inflection of it is ever written in lower case
            return self.forms[key].most_common(1)[0][0]
        return word

    def _one_edit_away(self, key: str) -> str | None:
        """The rare word of the material one edit (a letter added, dropped, changed or two swapped) from
        ``key``, with the same first letter; none when two are equally frequent. A common word one edit away is
        more often another word the asker meant ("modarbejder", "medarbejder") than a typo of it."""
        near = [other for length in (len(key) - 1, len(key), len(key) + 1)
                for other in self.by_length.get(length, ())
                if other[0] == key[0] and self.stem_count[self.stem_of[other]] <= RARE_COUNT and _one_edit(key, other)]
        if not near:
            return None
        counted = sorted(((self.stem_count[self.stem_of[other]], other) for other in near), reverse=True)
        if len(counted) > 1 and counted[0][0] == counted[1][0]:
            return None
        return counted[0][1]


def _stem(word: str) -> str:
    return danish_stemmer().stemWord(word.lower())


def _one_edit(a: str, b: str) -> bool:
    """Whether two different words are one edit apart (Damerau). Checked by hand: a linear scan of two short
    strings, which a fuzzy-matching library would do no better for one edit."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return a[start:] == b[start + 1:]
    if a[start + 1:] == b[start + 1:]:
        return True
    return (start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
            and a[start + 2:] == b[start + 2:])


def spellings(retriever: HybridRetriever) -> Spellings:
    return once(retriever, "spellings", lambda: Spellings(section_texts(retriever), retriever.vocabulary()))


def in_material_spelling(question: str, retriever: HybridRetriever) -> str:
    """The question with each word in the material's spelling (see the module's docstring)."""
    if is_english(question):
        return question  # English words are no typos of Danish ones
    known = spellings(retriever)
    return TOKEN_RE.sub(lambda match: known.spelled(match[0]), question)
