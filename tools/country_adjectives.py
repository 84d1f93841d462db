"""Write the adjectives that name each ISO 3166-1 country ("Kazakh", "Chinese", "British")
from maintained sources: kgraph/ingest/country_adjectives.tsv.

Texts name states by their adjective as often as by their name ("Kazakh researchers", "the
Chinese Government Scholarship", "Turkish universities"). No maintained source lists every
adjective a country goes by, so two are joined, and the rules are fixed here so that the
table can be regenerated rather than typed:

* the **demonym** of each country in countryinfo's data (REST Countries), one per country
  ("Kazakhstani", "British", "South Korean"); a demonym several countries share goes to
  the most populous of them, and is left out when another has a tenth of its population
  or more ("Congolese");
* the English name, in Unicode CLDR (as packaged by Babel), of a **language** that is
  official in the country (de jure) and whose likely country CLDR gives as that country
  ("Kazakh" for Kazakhstan, "Korean" for South Korea, "Russian" for Russia; not "English",
  whose likely country is the United States but which is official there only de facto);
  a language name that is another country's demonym stays the demonym's ("Portuguese").

``--check`` writes nothing and exits 1 when the table differs from what would be written.
tools/reference_states.py writes the adjectives of the data's states as their ``variants``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import sys
from collections import defaultdict
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
TABLE = TOOLS.parent / "kgraph" / "ingest" / "country_adjectives.tsv"
#: A demonym shared with a country at least this share as populous is left out.
SHARED_DEMONYM_RATIO = 0.1


def demonyms() -> dict[str, str]:
    """alpha-2 code -> demonym, from countryinfo."""
    from countryinfo import all_countries

    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for country in all_countries():
        code = (country.iso() or {}).get("alpha2")
        demonym = (country.demonym() or "").strip()
        if code and demonym:
            by_name[demonym].append((country.population() or 0, code.upper()))
    chosen = {}
    for demonym, holders in by_name.items():
        holders.sort(reverse=True)
        if len(holders) > 1 and holders[1][0] >= SHARED_DEMONYM_RATIO * holders[0][0]:
            continue
        chosen.setdefault(holders[0][1], demonym)
    return chosen


def language_adjectives(codes) -> dict[str, list[str]]:
    """alpha-2 code -> the CLDR names of the languages official there whose likely country
    it is."""
    from babel import Locale
    from babel.core import get_global
    from babel.languages import get_official_languages

    likely = get_global("likely_subtags")
    english = Locale("en").languages
    found: dict[str, list[str]] = {}
    for code in codes:
        for language in get_official_languages(code, de_facto=False):
            territory = likely.get(language, "").split("_")[-1]
            if territory == code and english.get(language):
                found.setdefault(code, []).append(english[language])
    return found


def table() -> list[tuple[str, str, str]]:
    """(alpha-2 code, adjective, source) rows, in code order."""
    import pycountry

    codes = sorted(c.alpha_2 for c in pycountry.countries)
    by_demonym = demonyms()
    by_language = language_adjectives(codes)
    rows = []
    for code in codes:
        written = set()
        for adjective, source in [(by_demonym.get(code), "countryinfo demonym")] + \
                [(name, "CLDR official language") for name in by_language.get(code, [])]:
            if adjective and adjective.casefold() not in written:
                written.add(adjective.casefold())
                rows.append((code, adjective, source))
    # An adjective of two countries ("Portuguese": Portugal's demonym, Brazil's language)
    # stays the demonym's.
    demonym_of = {adjective: code for code, adjective, source in rows if source.endswith("demonym")}
    return [row for row in rows if demonym_of.get(row[1], row[0]) == row[0]]


def text() -> str:
    versions = {name: importlib.metadata.version(name) for name in ("countryinfo", "babel", "pycountry")}
    from babel.core import get_cldr_version

    out = io.StringIO()
    out.write("# The adjectives that name each ISO 3166-1 country: written by\n"
              "# tools/country_adjectives.py (tools/README.md); regenerate, do not edit.\n"
              f"# Sources: countryinfo {versions['countryinfo']} (demonyms, from REST Countries), "
              f"Unicode CLDR {get_cldr_version()} (Babel {versions['babel']}), "
              f"ISO 3166-1 (pycountry {versions['pycountry']}).\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(("alpha_2", "adjective", "source"))
    writer.writerows(table())
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the table differs from what would be written")
    options = parser.parse_args(argv)
    wanted = text()
    if TABLE.exists() and TABLE.read_text(encoding="utf-8") == wanted:
        return 0
    if options.check:
        print(f"{TABLE} differs from what tools/country_adjectives.py writes", file=sys.stderr)
        return 1
    TABLE.write_text(wanted, encoding="utf-8")
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
