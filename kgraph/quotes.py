"""Check that every quote in the graph really occurs in the text of the source it cites.

Quotes are compared after folding what differs between a copied quote and the corpus text
but not its words: Unicode compatibility forms, typographic quotes and dashes, words
hyphenated across a line break, markdown emphasis and escapes, whitespace and case.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .namespaces import PROV, SP

_SINGLE_QUOTES = re.compile(r"[\u2018\u2019\u201a\u201b\u2032`´]")
_DOUBLE_QUOTES = re.compile(r"[\u201c\u201d\u201e\u201f\u2033«»]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_EMPHASIS = re.compile(r"[*_]")
#: Markdown's escapes ("\$248 billion" in a text converted from a document).
_ESCAPED = re.compile(r"\\(?=[$*_#\[\]()])")


def fold(text: str, join_hyphenated: bool = True) -> str:
    """Text with the differences that do not change its words folded away."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = _SINGLE_QUOTES.sub("'", text)
    text = _DOUBLE_QUOTES.sub('"', text)
    text = _DASHES.sub("-", text)
    text = _EMPHASIS.sub("", _ESCAPED.sub("", text))
    if join_hyphenated:
        text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class QuoteProblem:
    fact: str
    source: str
    quote: str
    reason: str

    def describe(self) -> str:
        return f"<{self.fact}> cites '{self.source}': {self.reason}: \"{self.quote}\""


class Corpus:
    """The folders of source texts (a file is looked for in each, in order), each text
    folded once."""

    def __init__(self, folders: Path | list[Path]):
        self.folders = [Path(f) for f in (folders if isinstance(folders, list) else [folders])]
        self._folded: dict[str, tuple[str, str]] = {}

    def path(self, file_name: str) -> Path | None:
        return next((f / file_name for f in self.folders if (f / file_name).is_file()), None)

    def contains(self, file_name: str, quote: str) -> bool:
        if file_name not in self._folded:
            text = self.path(file_name).read_text(encoding="utf-8")
            self._folded[file_name] = (fold(text), fold(text, join_hyphenated=False))
        needle = fold(quote)
        return any(needle in version for version in self._folded[file_name])


#: Every quotation whose source names a file of the corpus, with its quote.
QUOTATIONS = f"""SELECT ?quotation ?source ?file_name ?quote WHERE {{
  ?quotation <{PROV.wasQuotedFrom}> ?source ; <{SP.quote}> ?quote .
  ?source <{SP.corpusFile}> ?file_name .
}}"""


def check_quotes(source, corpus_folders: Path | list[Path]) -> tuple[int, list[QuoteProblem]]:
    """Check every quotation whose source names a corpus file (looked for in each folder),
    in an rdflib graph or a store (``kgraph.store``); return (checked, problems)."""
    from .query import execute

    corpus = Corpus(corpus_folders)
    checked, problems = 0, []
    for quotation, source, file_name, quote in sorted(execute(source, QUOTATIONS, "quotations").rows):
        fact = str(quotation).rsplit("/evidence/", 1)[0]
        source_id = str(source).rsplit("/", 1)[-1]
        if corpus.path(str(file_name)) is None:
            problems.append(QuoteProblem(fact, source_id, str(quote),
                                         f"the corpus file {file_name} is missing"))
            continue
        checked += 1
        if not corpus.contains(str(file_name), str(quote)):
            problems.append(QuoteProblem(fact, source_id, str(quote),
                                         f"not found in {file_name}"))
    return checked, problems
