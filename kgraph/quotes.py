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
from typing import TYPE_CHECKING

from .errors import InputError
from .namespaces import PROV, SP

if TYPE_CHECKING:  # kgraph.support reads quotes as this module folds them
    from .support import SupportReport

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


@dataclass
class QuoteCheck:
    """What ``kgraph check-quotes`` found: how many quotes were looked for, those not found,
    and with the support check its report."""

    checked: int
    problems: list[QuoteProblem]
    support: SupportReport | None = None

    @property
    def passes(self) -> bool:
        """Every quote found, and no finding of the support check left unexplained."""
        return not self.problems and (self.support is None or self.support.passes)


def check(corpus_folders: list[Path], data_folders: list[Path] | None = None,
          support: bool = False, spec: str = "memory", **store_options) -> QuoteCheck:
    """Look for every quote of the data folders (the bundled data by default), or of the
    store ``spec`` names (``kgraph.store.open_source``), in the corpus folders; with
    ``support``, also check that each fact's quotes support it (``kgraph.support``).

    The support check reads the records, with their files and lines, which only data folders
    have: with a store it is refused, as is a corpus folder that does not exist, before
    anything is read.
    """
    from .store import open_source, queryable

    for folder in corpus_folders:
        if not Path(folder).is_dir():
            raise InputError(f"Corpus folder '{folder}' does not exist; expected the folder of "
                             "source texts.")
    if support and spec != "memory":
        raise InputError("--support reads the records of the data folders (their files and "
                         "lines), not a store: give the folders with --data instead of --store.")
    source = queryable(open_source(spec, data_folders, **store_options))
    checked, problems = check_quotes(source, corpus_folders)
    return QuoteCheck(checked, problems, _support(data_folders) if support else None)


def _support(data_folders: list[Path] | None) -> SupportReport:
    from .build import load_ontology, vocabulary_ids
    from .load import load_dataset
    from .support import check_support

    return check_support(load_dataset(data_folders, vocabulary_ids(load_ontology())).records)
