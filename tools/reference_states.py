"""Write the Kazakh and Russian names, the ISO 3166-1 codes, the Wikidata items and the
adjectives of the states of the data folder from maintained sources, and the source records
they cite.

Names and codes typed by hand drift and cannot be checked; these are regenerated from
pycountry (ISO 3166-1 and the translations of Debian's iso-codes), Babel (Unicode CLDR),
tools/wikidata-countries.csv and kgraph/ingest/country_adjectives.tsv (see tools/README.md). Only the generated fields of the state
records change: every other line of the file stays as it is, so hand edits and merges of the
rest are untouched. ``--check`` writes nothing and exits 1 when data/ differs.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import importlib.metadata
import sys
import unicodedata
from pathlib import Path

import yaml

TOOLS = Path(__file__).resolve().parent
DATA = TOOLS.parent / "data"
LANGUAGES = ("kk", "ru")
#: The fields this script writes into a state record, after ``iso_code``, in this order.
GENERATED = ("labels", "iso_alpha3", "iso_numeric", "wikidata", "variants")
#: The fields that say where a record comes from; rewritten as one ``evidence`` list.
PROVENANCE = ("source", "quote", "evidence")
CODES_SOURCE = "reference-iso-3166"
CLDR_SOURCE = "reference-cldr-territory-names"
TRANSLATIONS_SOURCE = "reference-iso-3166-translations"
WIKIDATA_SOURCE = "reference-wikidata-countries"
ADJECTIVES_SOURCE = "reference-country-adjectives"
SOURCES_FILE = "reference-identifiers.yaml"


def source_records() -> list[dict]:
    """The named references of the generated fields, with the versions they were taken from."""
    import babel.core

    babel_version = importlib.metadata.version("babel")
    pycountry_version = importlib.metadata.version("pycountry")
    return [
        {"id": CLDR_SOURCE,
         "title": f"Unicode CLDR {babel.core.get_cldr_version()} territory names in Kazakh and "
                  f"Russian (as packaged by Babel {babel_version})",
         "type": "reference", "languages": list(LANGUAGES),
         "description": "The preferred Kazakh and Russian name of each state: the short names "
                        "CLDR gives software to display, reviewed by speakers of each language. "
                        "General reference; not a claim of the corpus."},
        {"id": TRANSLATIONS_SOURCE,
         "title": "Kazakh and Russian translations of the ISO 3166-1 country names (Debian "
                  f"iso-codes, as packaged by pycountry {pycountry_version})",
         "type": "reference", "languages": list(LANGUAGES),
         "description": "The other Kazakh and Russian names of each state: the translations of "
                        "its ISO 3166-1 short, common and official names. General reference; "
                        "not a claim of the corpus."},
        {"id": ADJECTIVES_SOURCE,
         "title": "The adjectives that name each ISO 3166-1 country: the demonyms of "
                  "countryinfo's data (REST Countries) and the Unicode CLDR names of the "
                  "languages official in each country whose likely country it is",
         "type": "reference",
         "description": "kgraph/ingest/country_adjectives.tsv, written by "
                        "tools/country_adjectives.py (its header names the versions used); "
                        "the adjectives of a state are its variants ('Kazakh researchers' "
                        "names Kazakhstan). General reference; not a claim of the corpus."},
        {"id": WIKIDATA_SOURCE,
         "title": "Wikidata items of the ISO 3166-1 countries, as listed in Our World in "
                  "Data's table of countries and regions",
         "type": "reference",
         "description": "The wikidata_uri column of owid/owid-grapher's CountriesRegions.ts "
                        "(commit c7402d12e25bd1d45f5bd7d66cfc083342a1ed96), copied to "
                        "tools/wikidata-countries.csv. General reference; not a claim of the "
                        "corpus."},
    ]


def wikidata_items(path: Path = TOOLS / "wikidata-countries.csv") -> dict[str, dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["iso_alpha2"]: row for row in csv.DictReader(handle)}


def names(country, language: str) -> list[str]:
    """The names of a country in a language, the preferred one (CLDR's) first, then the
    translations of its ISO names, without repeats. Untranslated entries, which gettext
    returns in English, are left out, and so are the stress marks (U+0301) that some Russian
    translations carry, which nobody types."""
    import babel
    import pycountry

    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    english = [getattr(country, a) for a in ("common_name", "name", "official_name")
               if hasattr(country, a)]
    found = [babel.Locale(language).territories.get(country.alpha_2)]
    found += [translation.gettext(name) for name in english if translation.gettext(name) != name]
    unique: dict[str, str] = {}
    for name in found:
        if name:
            name = unicodedata.normalize("NFC", name.replace("\u0301", ""))
            unique.setdefault(name.casefold(), name)
    return list(unique.values())


def state_fields(iso_code: str, items: dict[str, dict]) -> tuple[dict, list[str]]:
    """The generated fields of the state with this alpha-2 code, and the sources they cite."""
    import pycountry

    country = pycountry.countries.get(alpha_2=iso_code)
    if country is None:
        raise SystemExit(f"iso_code {iso_code!r} is not an ISO 3166-1 alpha-2 code (pycountry).")
    labels = {}
    for language in LANGUAGES:
        found = names(country, language)
        labels[language] = found[0] if len(found) == 1 else found
    fields = {"labels": labels, "iso_alpha3": country.alpha_3, "iso_numeric": country.numeric}
    sources = [CODES_SOURCE, CLDR_SOURCE, TRANSLATIONS_SOURCE]
    item = items.get(iso_code)
    if item:
        if item["iso_alpha3"] != country.alpha_3:
            raise SystemExit(f"tools/wikidata-countries.csv: the row of {iso_code} has alpha-3 "
                             f"{item['iso_alpha3']}, pycountry {country.alpha_3}.")
        fields["wikidata"] = item["wikidata"]
        sources.append(WIKIDATA_SOURCE)
    adjectives = country_adjectives().get(iso_code)
    if adjectives:
        fields["variants"] = list(adjectives)
        sources.append(ADJECTIVES_SOURCE)
    return fields, sources


def country_adjectives() -> dict[str, tuple[str, ...]]:
    sys.path.insert(0, str(TOOLS.parent))
    from kgraph.ingest.countries import adjectives

    return adjectives()


# --- writing the fields into the YAML text, line by line ------------------------------------------

def _dump(value) -> str:
    """A value as YAML on one line (quoted where YAML needs it)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30)
    return text.strip().removesuffix("...").strip()


def _fields_of(block: list[str], indent: int) -> list[tuple[str, list[str]]]:
    """The lines of a record split by field: each field's first line and its continuations."""
    fields: list[tuple[str, list[str]]] = []
    for number, line in enumerate(block):
        stripped = line.lstrip(" ")
        at = len(line) - len(stripped)
        if number == 0 or (at == indent and ":" in stripped and not stripped.startswith("#")):
            key = stripped.removeprefix("- ").split(":", 1)[0].strip()
            fields.append((key, [line]))
        else:
            fields[-1][1].append(line)
    return fields


def rewrite_record(block: list[str], record: dict, fields: dict, sources: list[str]) -> list[str]:
    """A state record's lines with the generated fields after ``iso_code`` and one evidence
    list that keeps the record's own sources and quotes and adds the generated ones."""
    indent = len(block[0]) - len(block[0].lstrip(" ")) + 2
    pad = " " * indent
    parts = [(key, lines) for key, lines in _fields_of(block, indent)
             if key not in GENERATED + PROVENANCE]
    generated = [f"{pad}{key}: {_dump(fields[key])}\n" for key in GENERATED if key in fields]
    anchor = next((i for i, (key, _) in enumerate(parts) if key == "iso_code"), len(parts) - 1)
    parts.insert(anchor + 1, ("generated", generated))
    evidence = list(record.get("evidence") or [])
    if "source" in record:
        evidence.insert(0, {"source": record["source"], **({"quote": record["quote"]}
                                                           if "quote" in record else {})})
    cited = {item.get("source") for item in evidence}
    evidence += [{"source": source} for source in sources if source not in cited]
    parts.append(("evidence", [f"{pad}evidence:\n"] + [
        f"{pad}  - {_dump(item)[1:-1] if set(item) == {'source'} else _dump(item)}\n"
        for item in evidence]))
    return [line for _, lines in parts for line in lines]


def rewrite_states(text: str, items: dict[str, dict]) -> str:
    """The text of a YAML file of records with the generated fields of its state records."""
    records = {r["id"]: r for r in (yaml.safe_load(text) or {}).get("states", [])}
    lines = text.splitlines(keepends=True)
    out, section, number = [], None, 0
    while number < len(lines):
        line = lines[number]
        if line[:1].isalpha():
            section = line.split(":", 1)[0]
        stripped = line.lstrip(" ")
        if section == "states" and stripped.startswith("- id:"):
            indent = len(line) - len(stripped)
            end = number + 1
            while end < len(lines) and (not lines[end].strip() or
                                        len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
                end += 1
            while not lines[end - 1].strip():  # blank lines between records stay outside
                end -= 1
            record = records[stripped.split(":", 1)[1].strip()]
            fields, sources = state_fields(record["iso_code"], items)
            out += rewrite_record(lines[number:end], record, fields, sources)
            number = end
            continue
        out.append(line)
        number += 1
    return "".join(out)


def sources_text() -> str:
    header = ("# The named references of the Kazakh and Russian names, the ISO 3166-1 codes and\n"
              "# the Wikidata items of the states of this folder. Written by\n"
              "# tools/reference_states.py (tools/README.md): regenerate, do not edit.\n")
    return header + yaml.safe_dump({"sources": source_records()}, allow_unicode=True,
                                   sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the data folder (default: data/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the folder differs from what would be written")
    options = parser.parse_args(argv)
    items = wikidata_items()
    wanted = {path: rewrite_states(path.read_text(encoding="utf-8"), items)
              for path in sorted(options.data.glob("*.yaml")) if path.name != SOURCES_FILE}
    wanted[options.data / SOURCES_FILE] = sources_text()
    stale = [path for path, text in wanted.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if options.check:
        for path in stale:
            print(f"{path} differs from what tools/reference_states.py writes", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
