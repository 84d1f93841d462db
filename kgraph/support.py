"""The support check: does each fact's quote say what its record says?

``kgraph check-quotes`` finds every quote in its source; a verbatim quote can still say less
than the record built on it. An audit of the bundled data found such records: influence
relations to countries their sentence does not name, a campus coded as operating where the
text says it is being set up, "thousands" coded as 1000. This module finds their kind
mechanically, record by record, with four rules:

``end-not-mentioned``
    an entity the fact links (an end of a relation, an observation's subject or
    counterpart, an entity record itself and the entities its fields name) is not named in
    the record's quotes by its label, an alternative label, a label in another language or
    a declared variant (``variants:``, for spellings such as "DeMontfort" and adjectives
    such as "Korean"). A label's trailing parenthesis is the coder's ("University of Arizona
    (Kazakhstan campus)"), so the name before it counts; a branch campus also goes by its
    parent's names, a person by surname; a plural counts, and a Cyrillic name with a case
    ending ("Қазақстанның").
``number-not-in-quote``
    a number of the record (a year, count, amount, value, date) is not written in its quotes,
    in any of the source's notations: "35,000", "35 000", "35000", "35 thousand",
    "thirty-five thousand", "US$16 million", "75th", "half", in English, Russian or Kazakh
    words.
``status-contradicted``
    the record's status contradicts the tense of its quote: a campus ``operating`` or an
    ``actual`` observation quoted with "setting up", "plans", "will open"; a ``planned``
    campus or a ``target`` quoted with "now operate", "opened", "today" (and nothing of the
    record's own tense).
``shared-quote``
    one quote backs several records of the same kind that differ in an entity the quote
    does not name: a general sentence turned into one fact per country. (An enumeration,
    whose quote names each record's entity, is fine.) The records' unnamed entities are
    reported under this rule rather than again as ``end-not-mentioned``.

A finding is *explained* when its record is ``epistemic_status: inferred`` with a ``note``
saying why: the coder has said the fact goes beyond its sentence. The check passes when no
finding is left unexplained. What a record takes from a general reference it cites (a
source of ``type: reference``, quoted with nothing: a university's home country, the state
a city lies in) is supported by that reference: only the record's own entity and its
numbers are checked against its quotes.

The check reads records (their files and lines), never the compiled graph: it uses the load
stage and the data format, and no stage uses it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .load import Record
from .quotes import fold
from .schema import DATE, DECIMAL, INTEGER, KINDS, REF, VOCABULARIES, YEAR

RULES = ("end-not-mentioned", "number-not-in-quote", "status-contradicted", "shared-quote")

#: Reference fields that are the coder's organisation of the data, not claims of a
#: sentence: a concept's broader and related concepts, the concepts of the framework a goal
#: concerns, the kind of quantity an observation measures (the indicator catalogue).
UNCHECKED_REFERENCES = {("concepts", "broader"), ("concepts", "related"), ("goals", "concepts"),
                        ("observations", "indicator")}
#: Kinds whose labels are the data's own names, not the sources': the indicator catalogue
#: names the kinds of quantity observations measure ("share of survey respondents").
UNNAMED_KINDS = {"indicators"}
#: Number fields that order a table rather than state a quantity.
UNCHECKED_NUMBERS = {"order"}

#: Status values a record may claim, by tense: what is, and what is yet to be.
CURRENT_STATUSES = {"operating", "actual", "closed"}
FUTURE_STATUSES = {"planned", "announced", "target"}
#: Words of the quote that put a fact in the future (plans, targets, works in progress).
FUTURE_CUES = re.compile(
    r"(?<!\w)(setting (?:it |one |them )?up|sets? up|plans?|planned|planning|aims? to|intends?|"
    r"will (?:open|be (?:opened|launched|established|built)|launch|establish|train|reach|increase|"
    r"host|create|build)|is to be|are to be|to be (?:opened|launched|established)|under construction|"
    r"upcoming|announced|expected to|targets?(?! audience)|targeted|strategic goals?|"
    r"планир\w*|будет|будут|откро\w*|жоспарла\w*)(?!\w)")
#: Words of the quote that put a fact in the present or the past.
CURRENT_CUES = re.compile(
    r"(?<!\w)(now operates?|operates?|operating|opened|has (?:been )?(?:opened|established|launched)|"
    r"have (?:been )?(?:opened|established|launched)|currently|today|already|"
    r"действу\w*|открыт\w*|жұмыс істейді)(?!\w)")

#: Scale words after a number, in the languages of the corpus: "16 million", "35 тыс.".
_SCALES = ((10**9, ("billion", "bn", "млрд", "миллиард")),
           (10**6, ("million", "mln", "m", "млн", "миллион")),
           (10**3, ("thousand", "тыс", "мың")))
_NUMBER_WORD_LANGUAGES = ("en", "ru", "kz")
#: Shares a source may write as fractions ("more than half", "one in four").
_FRACTIONS = {50: ("half",), 25: ("a quarter", "one in four", "one-quarter"),
              75: ("three quarters", "three-quarters"), 20: ("one in five", "a fifth"),
              10: ("one in ten", "a tenth")}


@dataclass(frozen=True)
class Finding:
    """One way a record says more than its quotes: where it was written, the rule, and, if
    the record is inferred, the note that explains it."""

    rule: str
    file: Path
    line: int
    kind: str
    record: str
    field: str
    message: str
    explanation: str | None = None

    @property
    def explained(self) -> bool:
        return self.explanation is not None

    def describe(self) -> str:
        text = (f"{self.file}, line {self.line} ({self.kind} record '{self.record}'): "
                f"{self.rule}: {self.message}")
        if self.explained:
            text += f" [explained: inferred: {self.explanation}]"
        return text


@dataclass
class SupportReport:
    """Every finding of the check over a set of records, explained or not."""

    findings: list[Finding] = field(default_factory=list)
    facts: int = 0

    @property
    def unexplained(self) -> list[Finding]:
        return [f for f in self.findings if not f.explained]

    @property
    def explained(self) -> list[Finding]:
        return [f for f in self.findings if f.explained]

    @property
    def passes(self) -> bool:
        return not self.unexplained

    def by_rule(self, findings: list[Finding] | None = None) -> dict[str, int]:
        counts = Counter(f.rule for f in (self.findings if findings is None else findings))
        return {rule: counts[rule] for rule in RULES}

    def summary(self) -> str:
        rules = ", ".join(f"{rule} {count}" for rule, count in self.by_rule().items())
        return (f"{self.facts} facts checked for support: {len(self.findings)} findings "
                f"({rules}); {len(self.explained)} explained by inferred records' notes, "
                f"{len(self.unexplained)} unexplained")


def check_support(records: list[Record]) -> SupportReport:
    """The findings of the four rules over checked records (``kgraph.load.load_dataset``),
    sorted by file, line and rule."""
    checker = _SupportChecker(records)
    return checker.run()


# --- what a quote names ------------------------------------------------------------------------

_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def names_of(record: Record) -> list[str]:
    """The folded names of an entity record: label (and the label without a trailing
    parenthesis), labels in other languages, alternative labels and variants; a person is
    also named by surname alone, as scholarly texts cite people ("Nye", "Knight J.")."""
    values = record.values
    names = [values.get("label", "")]
    names.append(_PARENTHESIS.sub("", names[0]))
    for written in values.get("labels", {}).values():  # a name, or several per language
        names.extend(written if isinstance(written, list) else [written])
    names.extend(values.get("alt_labels", []))
    names.extend(values.get("variants", []))
    if record.kind == "people":
        names.extend(name.split()[-1] for name in list(names) if name.split())
    return sorted({as_named(fold(str(n))) for n in names if str(n).strip()}, key=len, reverse=True)


_POSSESSIVE = re.compile(r"(?<=\w)'s?(?!\w)")


def as_named(text: str) -> str:
    """Folded text with possessives dropped, so that "Google's GenAI courses" names "Google
    GenAI courses" and "Kazakhstan's" names Kazakhstan."""
    return _POSSESSIVE.sub("", text)


@functools.lru_cache(maxsize=8192)
def _name_pattern(name: str) -> re.Pattern:
    """A name as a whole word of folded text (a hyphen joins words: "Sorbonne-Kazakhstan"
    does not name Kazakhstan), in the plural too ("cultural ambassadors"); a Cyrillic name
    may take a case ending ("Қазақстанның")."""
    ending = r"\w*" if _CYRILLIC.search(name) else "(?:s|es)?"
    return re.compile(rf"(?<![\w-]){re.escape(name)}{ending}(?![\w-])")


def names_in(names: list[str], text: str) -> bool:
    """True when one of the folded names occurs in the folded text."""
    return any(_name_pattern(name).search(text) for name in names)


# --- how a number may be written -------------------------------------------------------------

def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_spellings(value) -> list[str]:
    """The ways a source may write a number, folded: digits with and without thousands
    separators, a decimal point or comma, a scale word ("16 million", "35 thousand"), and
    words in English, Russian and Kazakh ("thirty-five thousand", "отыз")."""
    from num2words import num2words

    number = Decimal(str(value))
    plain = _plain(number)
    spellings = {plain, plain.replace(".", ","), plain.replace(".", ", ")}
    if number == number.to_integral_value():
        whole = int(number)
        spellings |= {f"{whole:,}", f"{whole:,}".replace(",", " "), f"{whole:,}".replace(",", ".")}
        suffix = "th" if 10 <= whole % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")
        spellings |= {f"{whole}{suffix}", f"{whole}-{suffix}", f"{whole}-th"}  # ranks: "75th", "30-th"
        spellings |= set(_FRACTIONS.get(whole, ()))
        for scale, words in _SCALES:
            if whole >= scale and whole % (scale // 100 or 1) == 0:
                scaled = _plain(Decimal(whole) / scale)
                for word in words:
                    spellings |= {f"{scaled} {word}", f"{scaled.replace('.', ',')} {word}",
                                  f"{scaled}{word}"}
    for language in _NUMBER_WORD_LANGUAGES:
        try:
            words = num2words(int(number) if number == number.to_integral_value() else float(number),
                              lang=language)
        except (NotImplementedError, OverflowError, ValueError):
            continue
        spellings |= {words, words.replace("-", " "), words.replace(" and ", " ")}
        if language == "en" and number == number.to_integral_value():
            spellings.add(num2words(int(number), lang="en", to="ordinal"))
    return sorted({fold(s) for s in spellings}, key=len, reverse=True)


@functools.lru_cache(maxsize=8192)
def _number_pattern(spelling: str) -> re.Pattern:
    """A number's spelling, not inside a longer number or word ("16" is not in "2016")."""
    return re.compile(rf"(?<![\w.,]){re.escape(spelling)}(?!\w|[.,]\d)")


def number_in(value, text: str) -> bool:
    return any(_number_pattern(s).search(text) for s in number_spellings(value))


# --- the check ---------------------------------------------------------------------------------

def _entity_fields(kind: str):
    """The fields of a kind that name entities, and so must be named by its quotes."""
    return [f for f in KINDS[kind].fields
            if f.type == REF and f.name != "source" and (kind, f.name) not in UNCHECKED_REFERENCES
            and not any(t in VOCABULARIES for t in f.targets)]


def _number_fields(kind: str):
    return [f for f in KINDS[kind].fields
            if f.type in (YEAR, INTEGER, DECIMAL, DATE) and f.name not in UNCHECKED_NUMBERS]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


class _SupportChecker:
    def __init__(self, records: list[Record]):
        self.records = [r for r in records if KINDS[r.kind].needs_evidence
                        and any(e.quote for e in r.evidence)]
        self.names = {r.id: names_of(r) for r in records if "label" in r.values}
        for record in records:  # a branch campus goes by its parent's name ("Cardiff University")
            parent = record.values.get("parent") if record.kind == "branch_campuses" else None
            if parent in self.names:
                self.names[record.id] = self.names[record.id] + self.names[parent]
        self.labels = {r.id: r.values["label"] for r in records if "label" in r.values}
        self.findings: list[Finding] = []
        self.reported: set[tuple[int, str, str]] = set()

    def run(self) -> SupportReport:
        self.shared_quotes()
        for record in self.records:
            text = self.text(record)
            self.ends(record, text)
            self.numbers(record, text)
            self.status(record, text)
        self.findings.sort(key=lambda f: (str(f.file), f.line, f.record, RULES.index(f.rule), f.field,
                                          f.message))
        return SupportReport(self.findings, len(self.records))

    def report(self, record: Record, rule: str, fld: str, message: str) -> None:
        values = record.values
        note = values.get("note") if values.get("epistemic_status") == "inferred" else None
        self.findings.append(Finding(rule, record.file, record.line, record.kind, record.id, fld,
                                     message, note or None))

    @staticmethod
    def text(record: Record) -> str:
        """All the record's quotes, folded, possessives dropped."""
        return " | ".join(as_named(fold(e.quote)) for e in record.evidence if e.quote)

    @staticmethod
    def cites_reference(record: Record) -> bool:
        """True when the record also cites a general reference (evidence without a quote)."""
        return any(not e.quote for e in record.evidence)

    def named(self, entity: str, text: str) -> bool:
        return names_in(self.names.get(entity, [fold(entity)]), text)

    def describe(self, entity: str) -> str:
        label = self.labels.get(entity)
        return f"'{label}' ({entity})" if label and label != entity else f"'{entity}'"

    # -- rules ----------------------------------------------------------------------------------
    def ends(self, record: Record, text: str) -> None:
        """end-not-mentioned: every entity the record links is named in its quotes."""
        if "label" in record.values and record.kind not in UNNAMED_KINDS \
                and not self.named(record.id, text):
            self.report(record, "end-not-mentioned", "label",
                        f"the quotes do not name {self.describe(record.id)} itself (by its label, "
                        "alternative labels or variants)")
        if self.cites_reference(record):
            return  # the rest comes from the general reference it cites
        for fld in _entity_fields(record.kind):
            for entity in _as_list(record.values.get(fld.name, [])):
                if (id(record), fld.name, entity) in self.reported or self.named(entity, text):
                    continue
                self.report(record, "end-not-mentioned", fld.name,
                            f"'{fld.name}: {entity}': the quotes do not name "
                            f"{self.describe(entity)}")

    def numbers(self, record: Record, text: str) -> None:
        """number-not-in-quote: every number of the record is written in its quotes."""
        for fld in _number_fields(record.kind):
            if fld.name not in record.values:
                continue
            value = record.values[fld.name]
            if fld.type == DATE:
                missing = [str(n) for n in (value.year, value.day) if not number_in(n, text)]
            else:
                missing = [] if number_in(value, text) else [_plain(Decimal(str(value)))]
            if missing:
                self.report(record, "number-not-in-quote", fld.name,
                            f"'{fld.name}: {value}': the quotes do not write "
                            f"{' or '.join(missing)} (in digits, with a scale word or in words)")

    def status(self, record: Record, text: str) -> None:
        """status-contradicted: the record's status agrees with the tense of its quotes."""
        claimed = record.values.get("status")
        if claimed is None and record.kind == "observations":
            claimed = "actual"
        if claimed in CURRENT_STATUSES:
            against, own = FUTURE_CUES.search(text), CURRENT_CUES.search(text)
        elif claimed in FUTURE_STATUSES:
            against, own = CURRENT_CUES.search(text), FUTURE_CUES.search(text)
        else:
            return
        if against and not own:
            self.report(record, "status-contradicted", "status",
                        f"'status: {claimed}', but the quotes say \"{against.group(1)}\"")

    def shared_quotes(self) -> None:
        """shared-quote: a quote backing several records of one kind names what sets each
        apart (or another quote of the record does)."""
        groups = defaultdict(list)
        for record in self.records:
            for evidence in record.evidence:
                if evidence.quote:
                    groups[(record.kind, evidence.source, as_named(fold(evidence.quote)))].append(record)
        for (kind, source, quote), members in sorted(groups.items(), key=lambda g: g[0]):
            members = list({id(r): r for r in members}.values())
            if len(members) < 2:
                continue
            for fld in _entity_fields(kind):
                values = [tuple(_as_list(r.values.get(fld.name, []))) for r in members]
                if len(set(values)) < 2:
                    continue
                for record, entities in zip(members, values):
                    if self.cites_reference(record):
                        continue
                    text = self.text(record)
                    unnamed = [e for e in entities if not self.named(e, text)]
                    for entity in unnamed:
                        if (id(record), fld.name, entity) in self.reported:
                            continue
                        self.reported.add((id(record), fld.name, entity))
                        self.report(record, "shared-quote", fld.name,
                                    f"one quote backs {len(members)} {kind} records that differ in "
                                    f"'{fld.name}', and does not name {self.describe(entity)}: "
                                    f"\"{quote[:80]}{'...' if len(quote) > 80 else ''}\"")
