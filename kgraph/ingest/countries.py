"""Every country of ISO 3166-1, with its names in English, Russian and Kazakh (pycountry).

A text names countries the graph may not hold yet: linking knows them all, so that a country
the graph lacks becomes a proposed ``states`` record with its codes instead of an unknown
name. pycountry carries the ISO names and, in its gettext catalogues, their Russian and
Kazakh translations ("Российская Федерация", "Ресей"). ISO's names are formal ("Korea,
Republic of", "Russian Federation"): the short names texts use and ISO does not list are
added from :data:`CUSTOMARY_NAMES`. The adjectives that name a country ("Kazakh",
"British") come from ``country_adjectives.tsv`` beside this module, which
tools/country_adjectives.py writes from countryinfo's demonyms and Unicode CLDR.
"""

from __future__ import annotations

import csv
import functools
import gettext
from dataclasses import dataclass
from pathlib import Path

#: Short names in common use that ISO 3166 does not give (nor its translations), by alpha-2
#: code. Abbreviations are matched only in capitals ("US", not "us").
CUSTOMARY_NAMES = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "США", "Соединённые Штаты Америки"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "Великобритания"),
    "RU": ("Russia", "Россия"),
    "KR": ("South Korea", "Южная Корея", "Оңтүстік Корея"),
    "KP": ("North Korea", "Северная Корея"),
    "TR": ("Turkey",),
    "CZ": ("Czech Republic",),
    "AE": ("UAE", "Emirates"),
    "KG": ("Kyrgyz Republic", "Кыргызстан"),
    "CN": ("PRC",),
    "MD": ("Moldova",),
    "NL": ("Holland",),
}
LANGUAGES = ("ru", "kk")


#: The adjectives that name each country, by alpha-2 code (tools/country_adjectives.py).
ADJECTIVES_FILE = Path(__file__).with_name("country_adjectives.tsv")


@functools.lru_cache(maxsize=1)
def adjectives() -> dict[str, tuple[str, ...]]:
    """alpha-2 code -> the adjectives that name the country ("Kazakhstani", "Kazakh")."""
    found: dict[str, list[str]] = {}
    with open(ADJECTIVES_FILE, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for row in rows:
            found.setdefault(row["alpha_2"], []).append(row["adjective"])
    return {code: tuple(names) for code, names in found.items()}


@dataclass(frozen=True)
class Country:
    """One ISO 3166-1 country: its codes, English name and every name it goes by."""

    alpha_2: str
    alpha_3: str
    numeric: str
    name: str  # the English name texts use (ISO's common name where it has one)
    names: tuple[str, ...]  # English names, then customary, then translated ones
    translations: dict
    adjectives: tuple[str, ...] = ()  # "Kazakhstani", "Kazakh"

    @property
    def slug(self) -> str:
        from .text import slug

        return slug(self.name)


@functools.lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    """Every country of ISO 3166-1, in the order of its alpha-2 code."""
    import pycountry

    catalogues = {language: gettext.translation("iso3166-1", pycountry.LOCALES_DIR,
                                                languages=[language], fallback=True)
                  for language in LANGUAGES}
    result = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        iso_names = [getattr(country, attribute, None)
                     for attribute in ("common_name", "name", "official_name")]
        iso_names = [n for n in dict.fromkeys(iso_names) if n]
        english = [_uninverted(n) for n in iso_names]
        translations = {}
        translated = []
        for language, catalogue in catalogues.items():
            names = [catalogue.gettext(n) for n in iso_names]
            names = [_uninverted(n.replace("\u0301", "")) for n in names if n not in iso_names]
            if names:
                translations[language] = names[0]
            translated.extend(names)
        customary = CUSTOMARY_NAMES.get(country.alpha_2, ())
        names = tuple(dict.fromkeys([*english, *iso_names, *customary, *translated]))
        result.append(Country(country.alpha_2, country.alpha_3, country.numeric, english[0],
                              names, translations, adjectives().get(country.alpha_2, ())))
    return tuple(result)


def _uninverted(name: str) -> str:
    """ISO's inverted names put right: "Korea, Republic of" -> "Republic of Korea"."""
    head, comma, tail = name.partition(", ")
    if comma and tail.split()[-1].lower() in ("of", "the"):
        return f"{tail} {head}"
    return name
