"""The pages' own words (headings, buttons, column names) in English, Kazakh and Russian.

Names of entities come from the data (``label_kk``, ``label_ru``); the words a page puts
around them come from ``templates/words.yaml``. A word that has no translation in the
chosen language shows in English and is marked as such (``Words.missing``), so that a
reader sees the gap instead of a page that silently mixes languages.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from .choices import LANGUAGES
from .errors import InputError

WORDS_FILE = Path(__file__).parent / "templates" / "words.yaml"


@functools.cache
def word_table() -> dict[str, dict[str, str]]:
    """Every page word by key, then by language (read by libyaml where PyYAML has it: a
    twentieth of a second less for every page command)."""
    return yaml.load(WORDS_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def _locale(lang: str):
    import babel

    return babel.Locale.parse(lang)


def plural_category(count: int, lang: str) -> str:
    """CLDR's plural category of a number in a language: ``one``, ``few``, ``many``,
    ``other``, ... (Babel's rules)."""
    return _locale(lang).plural_form(abs(count))


def _written(count: int, lang: str) -> str:
    """A number as the language writes it (1,234; 1 234)."""
    from babel.numbers import format_decimal

    return format_decimal(count, locale=_locale(lang))


class Words:
    """The page words of one language, falling back to English word by word."""

    def __init__(self, lang: str = "en", table: dict[str, dict[str, str]] | None = None):
        if lang not in LANGUAGES:
            raise InputError(f"Unknown language '{lang}'; expected one of: {', '.join(LANGUAGES)}.")
        self.lang = lang
        self.table = word_table() if table is None else table

    def __call__(self, key: str, **values) -> str:
        """The word in the page's language (English where it has none), with ``{name}``
        placeholders filled from ``values``. A word given in plural forms (``{one: ...,
        few: ..., many: ..., other: ...}``, the categories of CLDR's plural rules) takes the
        form ``values["count"]`` asks for: "1 fact", "2 facts"; "1 факт", "3 факта", "5
        фактов"; the count is written as the language writes numbers (1,234; 1 234)."""
        entry = self.table[key]
        text = entry.get(self.lang) or entry["en"]
        lang = self.lang if entry.get(self.lang) else "en"
        if isinstance(text, dict):
            text = text.get(plural_category(values["count"], lang)) or text["other"]
        if "count" in values:
            values = {**values, "count": _written(values["count"], lang)}
        return text.format(**values) if values else text

    def missing(self, key: str) -> bool:
        """True when the word shows in English for want of a translation."""
        return self.lang != "en" and not self.table[key].get(self.lang)

    def for_page(self, keys=None) -> dict[str, list]:
        """``{key: [text, shown in English for want of a translation]}`` for a page's script."""
        return {key: [self.table[key].get(self.lang) or self.table[key]["en"], self.missing(key)]
                for key in sorted(keys if keys is not None else self.table)}
