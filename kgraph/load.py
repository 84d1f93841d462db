"""Load stage: read data folders (records as YAML or JSON Lines, and Turtle files) and check
them against the format.

Every problem is reported with the file, the line of the record, the value and what was
expected, so that a researcher can fix the data without reading Python. All problems of a
load are collected and reported together.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import difflib
import json
import multiprocessing
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .errors import DataError, DataWarning, InputError
from .processes import die_with_parent, release_standard_streams
from .resources import bundled_path
from .schema import (BOOLEAN, COMPARATORS, DATE, DECIMAL, INTEGER, KINDS, OBSERVATION_STATUSES,
                     REF, REFERENCE_SOURCE_TYPE, STRENGTHS, TEXT, VOCABULARIES, WIKIDATA, YEAR, YEAR_RANGE, RecordKind)

# Matched with ``fullmatch``: ``$`` would let a trailing line break through ("ru\n").
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9.]*(-[a-z0-9.]+)*")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)*")
CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")
WIKIDATA_PATTERN = re.compile(r"Q[1-9][0-9]*")
QUOTE_MAX_WORDS = 60

# Limits on input (docs/data-format.md, "Limits"). Parsing YAML takes up to a hundred times
# a file's size in memory (a node object per value), so a file is refused before it is read;
# JSON Lines are read a line at a time; a text longer than any name, quote or note is a
# mistake (Oxigraph refuses a term of 16 MiB or more).
YAML_MAX_BYTES = 8 * 1024 * 1024
JSON_LINE_MAX_CHARS = 1024 * 1024
TEXT_MAX_CHARS = 100_000
#: Values that YAML aliases (``*name``) may repeat in one file, beyond those written in it.
ALIAS_MAX_REPEATS = 10_000
#: Above this many bytes of records, an in-memory build is warned that it takes gigabytes.
MEMORY_BUILD_WARN_BYTES = 10 * 1024 * 1024
#: Files of records: YAML (a mapping from kinds to lists of records) or JSON Lines (one record
#: per line, its kind in a "kind" field).
YAML_SUFFIXES = (".yaml", ".yml")
JSON_LINES_SUFFIX = ".jsonl"


@dataclass
class Evidence:
    source: str
    quote: str | None


@dataclass
class Record:
    """One YAML record, its checked values, and where it was written."""

    kind: str
    values: dict
    file: Path
    line: int
    evidence: list[Evidence] = field(default_factory=list)
    id: str = ""
    key_lines: dict = field(default_factory=dict, repr=False)

    @property
    def spec(self) -> RecordKind:
        return KINDS[self.kind]

    def where(self) -> str:
        name = f" '{self.values['id']}'" if "id" in self.values else ""
        return f"{self.file}, line {self.line} ({self.kind} record{name})"

    def field_label(self, name: str) -> str:
        """A field for messages, with its own line when it is not the record's first."""
        line = self.key_lines.get(name)
        return f"field '{name}'" + (f" (line {line})" if line and line != self.line else "")


@dataclass
class Dataset:
    """Everything read from the data folders, checked and ready to compile."""

    records: list[Record]
    turtle_files: list[Path]


class _LineDict(dict):
    """A mapping that remembers the line it started on and the lines of its keys."""

    line = 0
    key_lines: dict = {}


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader (its libyaml parser where installed, five times faster), keeping
    line numbers, refusing duplicate keys and alias bombs, and leaving impossible dates as
    the text written (the checker then says which field holds it)."""

    #: Whether the text may hold an anchor (``&name``): only then are aliases measured.
    may_alias = True

    def construct_document(self, node):
        if self.may_alias:
            _check_aliases(node)
        return super().construct_document(node)


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = _LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.MarkedYAMLError(
                "while reading a mapping", node.start_mark,
                f"found the key '{key}' twice (expected each field once)", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_timestamp(loader, node):
    """A date as a ``datetime.date``; an impossible one (``2024-13-17``) as the text written."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _RefusedAliases(yaml.MarkedYAMLError):
    """Aliases that would expand beyond the limit, or into themselves."""


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_aliases(root) -> None:
    """Refuse a document whose aliases repeat more than ``ALIAS_MAX_REPEATS`` values, or refer
    to the value that holds them, before anything is built from it.

    An alias (``*name``) is the node of its anchor (``&name``) again, so a document is a graph
    of nodes; the values it stands for, once expanded, are counted node by node (each once),
    in time and memory of the order of the file. A few lines of nested aliases ("billion
    laughs") expand to billions of values, which every later step would walk.
    """
    sizes: dict[int, int] = {}
    uses: dict[int, int] = {}
    nodes: dict[int, object] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        nodes[key] = node
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            uses[id(child)] = uses.get(id(child), 0) + 1
            if id(child) in open_nodes:
                raise _RefusedAliases(
                    problem="an alias refers to the value that contains it (a recursive "
                            "alias); expected aliases (*name) of values defined before them",
                    problem_mark=child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))
    repeated = sizes[id(root)] - len(sizes)
    if repeated > ALIAS_MAX_REPEATS:
        worst = max((key for key, count in uses.items() if count > 1),
                    key=lambda key: sizes[key] * (uses[key] - 1))
        raise _RefusedAliases(
            problem=f"aliases (*name) repeat the value defined here {uses[worst]:,} times, "
                    f"and the file would expand to {sizes[id(root)]:,} values; expected at "
                    f"most {ALIAS_MAX_REPEATS:,} values repeated through aliases in a file",
            problem_mark=nodes[worst].start_mark)


def read_yaml(path: Path):
    """Parse one YAML file, turning a syntax error into a message with file, line and column.

    Files over ``YAML_MAX_BYTES`` are refused before they are read."""
    size = path.stat().st_size if path.is_file() else 0
    if size > YAML_MAX_BYTES:
        raise InputError(
            f"{path}: the file has {size / 2**20:,.1f} MiB of YAML; expected at most "
            f"{YAML_MAX_BYTES // 2**20} MiB per YAML file (reading YAML takes up to a hundred "
            "times its size in memory). Split it into several files, or, for large data, write "
            "JSON Lines (*.jsonl, read a record at a time) and build into an on-disk store: "
            "kgraph build --store oxigraph:DIR (docs/data-format.md, \"Limits\").")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        loader = _LineLoader(text)
        loader.may_alias = "&" in text
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc.reason}).") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        if isinstance(exc, _RefusedAliases):
            raise InputError(f"{path}, {where}: {exc.problem} (docs/data-format.md, "
                             "\"Limits\").") from None
        raise InputError(
            f"{path}, {where}: malformed YAML: {exc.problem or exc.context}. "
            "Expected a mapping from record kinds to lists of records "
            "(see docs/data-format.md).") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: malformed YAML: {exc}") from None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list) -> dict:
    """A JSON object as a dict, refusing a key written twice (json keeps the last silently)."""
    mapping = dict(pairs)
    if len(mapping) < len(pairs):
        seen = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise _DuplicateKey(f"found the key '{twice}' twice (expected each field once)")
    return mapping


#: One decoder for every line (``json.loads`` with a hook makes a new one per call).
_JSON_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def read_json_lines(path: Path) -> list[tuple[int, object]]:
    """Parse a JSON Lines file: each non-blank line with its line number. For data exported
    from databases and data frames: about a second per million triples, where YAML takes
    eleven."""
    lines = []
    number = 0
    try:
        with open(path, encoding="utf-8") as handle:
            while text := handle.readline(JSON_LINE_MAX_CHARS + 1):
                number += 1
                if len(text) > JSON_LINE_MAX_CHARS:
                    raise InputError(
                        f"{path}, line {number}: the line is longer than "
                        f"{JSON_LINE_MAX_CHARS:,} characters; expected one record per line, "
                        f"with texts of at most {TEXT_MAX_CHARS:,} characters "
                        "(docs/data-format.md, \"Limits\").")
                if text.strip():
                    lines.append((number, _JSON_DECODER.decode(text.rstrip("\r\n"))))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}, line {number}, column {exc.colno}: malformed JSON: {exc.msg}. "
                         "Expected one record per line, a JSON object such as "
                         '{"kind": "universities", "id": "...", ...} (see docs/data-format.md).') from None
    except _DuplicateKey as exc:
        raise InputError(f"{path}, line {number}: malformed JSON: {exc}.") from None
    return lines


def read_records(path: Path):
    """Parse a file of records, YAML or JSON Lines by its suffix."""
    return read_json_lines(path) if path.suffix == JSON_LINES_SUFFIX else read_yaml(path)


def read_ahead(paths: list[Path]) -> Iterator[tuple[Path, object]]:
    """Each file of records with its content (:func:`read_records`), the next YAML file parsed
    in another process while the caller works on this one: parsing YAML is about half the work
    of a bulk build, checking and compiling the other half. One file ahead, so memory stays
    bounded. JSON Lines parse faster than their content would cross between processes, so
    they are read here."""
    if sum(path.suffix in YAML_SUFFIXES for path in paths) < 2:
        yield from ((path, read_records(path)) for path in paths)
        return
    # Forked here, from the thread that reads, and tied to this process: killed with it.
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("fork"),
            initializer=_reader_started, initargs=(os.getpid(),)) as pool:
        def submit(position: int):
            if position < len(paths) and paths[position].suffix in YAML_SUFFIXES:
                return pool.submit(read_yaml, paths[position])
            return None

        upcoming = submit(0)
        for position, path in enumerate(paths):
            content = upcoming.result() if upcoming else read_records(path)
            upcoming = submit(position + 1)
            yield path, content


def _reader_started(parent_pid: int) -> None:
    """The YAML reader of :func:`read_ahead` dies with the build and keeps none of its
    standard streams: a build killed with ``kill -9`` leaves no process behind, and whoever
    reads the build's output sees it end."""
    die_with_parent(parent_pid)
    release_standard_streams()


def data_files(folders: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files of records (YAML, JSON Lines) and the Turtle files of the data folders, in a
    stable order."""
    record_files, turtle_files = [], []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(
                f"Data folder '{folder}' does not exist or is not a folder. "
                "Expected a folder of records (*.yaml or *.jsonl, and optional *.ttl files); "
                "give it with --data DIR.")
        for path in sorted(folder.rglob("*")):
            if path.suffix in (*YAML_SUFFIXES, JSON_LINES_SUFFIX) and path.is_file():
                record_files.append(path)
            elif path.suffix == ".ttl" and path.is_file():
                turtle_files.append(path)
    return record_files, turtle_files


def load_dataset(folders: list[Path] | None = None,
                 vocabularies: dict[str, set[str]] | None = None,
                 statuses=None) -> Dataset:
    """Read and check every record of the data folders (the bundled data by default); with
    ``statuses``, keep only the facts of those epistemic statuses and what does not hang on
    the others (``kgraph.statuses``). Every record is checked either way."""
    from .statuses import StatusSelection, checked_statuses

    kept = checked_statuses(statuses)
    record_files, turtle_files = data_files(data_folders(folders))
    _warn_if_large(record_files)
    checker = RecordChecker(vocabularies or {})
    records = [record for path in record_files
               for record in checker.check_file(path, read_records(path))]
    checker.finish()
    if kept:
        selection = StatusSelection(kept)
        selection.learn(records)
        records = selection.select(records)
    return Dataset(records, turtle_files)


def _warn_if_large(record_files: list[Path]) -> None:
    """Say that an in-memory build of large data takes gigabytes, and what to do instead
    (unless a file over the YAML limit will stop it first)."""
    sizes = [(path, path.stat().st_size) for path in record_files]
    if any(path.suffix in YAML_SUFFIXES and size > YAML_MAX_BYTES for path, size in sizes):
        return
    size = sum(size for _, size in sizes)
    if size > MEMORY_BUILD_WARN_BYTES:
        warnings.warn(
            f"the data folders hold {size / 2**20:,.0f} MiB of records, compiled in memory: "
            "that takes about a hundred times their size (50 MiB of YAML took 4.8 GB and five "
            "minutes). Build large data into an on-disk store instead (kgraph build --store "
            "oxigraph:DIR, then --store oxigraph:DIR on every command), from JSON Lines "
            "(*.jsonl) rather than YAML.", DataWarning, stacklevel=3)


def raw_records(path: Path, content, problems: list[str] | None = None) -> list[Record]:
    """The records of a parsed file as written, before their fields are checked; problems
    of the file's shape go to ``problems`` (ignored when not given, as for a first look at
    ids and references before the checked pass)."""
    problems = [] if problems is None else problems
    if path.suffix == JSON_LINES_SUFFIX:
        return _records_of_lines(path, content, problems)
    return _records_of_file(path, content, problems)


def data_folders(folders: list[Path] | None) -> list[Path]:
    """The folders given, or the bundled data."""
    return [Path(f) for f in folders] if folders else [bundled_path("data")]


def _records_of_file(path: Path, content, problems: list[str]) -> list[Record]:
    if content is None:
        return []
    if not isinstance(content, dict):
        problems.append(f"{path}, line 1: the file holds a {type(content).__name__}; expected a "
                        "mapping from record kinds (e.g. 'universities:') to lists of records.")
        return []
    records = []
    for kind, items in content.items():
        line = content.key_lines.get(kind, 1)
        if kind not in KINDS:
            problems.append(f"{path}, line {line}: unknown record kind '{kind}'"
                            f"{_suggest(str(kind), KINDS)}. Expected one of: {', '.join(KINDS)}.")
            continue
        if not isinstance(items, list):
            problems.append(f"{path}, line {line}: '{kind}' must be a list of records "
                            f"(lines starting with '- '), not a {type(items).__name__}.")
            continue
        for item in items:
            if not isinstance(item, dict):
                problems.append(f"{path}, line {line}: an item of '{kind}' is "
                                f"{_shown(item)}; expected a record with named fields.")
                continue
            records.append(Record(kind, dict(item), path, item.line, key_lines=item.key_lines))
    return records


def _records_of_lines(path: Path, lines: list[tuple[int, object]], problems: list[str]) -> list[Record]:
    """The records of a JSON Lines file: each line an object whose "kind" names its kind."""
    records = []
    for line, item in lines:
        if not isinstance(item, dict):
            problems.append(f"{path}, line {line}: the line holds {_shown(item)}; expected a JSON "
                            'object, a record such as {"kind": "universities", "id": "..."}.')
            continue
        values = dict(item)
        kind = values.pop("kind", None)
        if kind not in KINDS:
            problems.append(f"{path}, line {line}: "
                            + (f"unknown record kind '{kind}'{_suggest(str(kind), KINDS)}"
                               if kind is not None else 'the record has no "kind"')
                            + f". Expected one of: {', '.join(KINDS)}.")
            continue
        records.append(Record(kind, values, path, line))
    return records


def _suggest(value: str, choices) -> str:
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


@dataclass(frozen=True)
class IdEntry:
    """What the checker remembers of a record once its file is done: enough to check
    references to it and to point at it, not its values."""

    kind: str
    file: Path
    line: int
    reference_source: bool = False  # a source of type reference, cited without quotes

    def where(self, record_id: str) -> str:
        return f"{self.file}, line {self.line} ({self.kind} record '{record_id}')"


class RecordChecker:
    """Checks field names and value types record by record, then ids and references across
    all records, one file at a time.

    Only the ids seen so far are kept (an :class:`IdEntry` each), not the records, so that a
    build can stream files of any total size. A reference to an id no file has defined yet
    waits until :meth:`finish`, when every id is known.
    """

    def __init__(self, vocabularies: dict[str, set[str]]):
        self.vocabularies = vocabularies
        self.problems: list[str] = []
        self.index: dict[str, IdEntry] = {}
        self.pending: list[tuple[str, object, str, bool]] = []

    def fail(self, record: Record | str, message: str) -> None:
        where = record if isinstance(record, str) else record.where()
        self.problems.append(f"{where}: {message}")

    def check_file(self, path: Path, content) -> list[Record]:
        """The checked records of one parsed file (:func:`read_records`); problems are
        collected for :meth:`finish`."""
        problems_before = len(self.problems)
        records = raw_records(path, content, self.problems)
        if not records and len(self.problems) == problems_before:
            warnings.warn(f"{path}: the file holds no records; nothing was read from it.",
                          DataWarning, stacklevel=2)
        for record in records:
            self.check_fields(record)
        for record in records:
            self.check_id(record)
        for record in records:
            self.check_references(record)
        return records

    def finish(self) -> None:
        """Check the references that waited for later files; raise every problem found."""
        pending, self.pending = self.pending, []
        for where, fld, value, quoteless in pending:
            self.check_reference(where, fld, value, quoteless, final=True)
        if self.problems:
            noun = "problem" if len(self.problems) == 1 else "problems"
            raise DataError(f"The data has {len(self.problems)} {noun}:", self.problems)

    # -- fields -----------------------------------------------------------------------------
    def check_fields(self, record: Record) -> None:
        spec = record.spec
        too_long = set()
        for name in list(record.values):
            fld = spec.field_named(name)
            if fld is None:
                allowed = ", ".join(f.name for f in spec.fields)
                self.fail(record, f"unknown field {_shown(name)}{_suggest(str(name), [f.name for f in spec.fields])}. "
                                  f"A {spec.name} record may have: {allowed}.")
                del record.values[name]
                continue
            value = record.values[name]
            longest = _longest_text(value)
            if longest > TEXT_MAX_CHARS:
                self.fail(record, f"{record.field_label(name)} holds a text of {longest:,} characters; "
                                  f"expected at most {TEXT_MAX_CHARS:,} (a name, a quote, a "
                                  "note or a description; docs/data-format.md, \"Limits\").")
                del record.values[name]
                too_long.add(name)
                continue
            if name in ("evidence", "source", "quote"):
                continue
            checked = self.check_value(record, fld, value)
            if checked is None:
                del record.values[name]
            else:
                record.values[name] = checked
        for fld in spec.fields:
            if fld.required and fld.name not in record.values and fld.name not in too_long:
                self.fail(record, f"the required field '{fld.name}' is missing"
                                  f"{(' (' + fld.doc + ')') if fld.doc else ''}.")
        if spec.subtypes and "type" in record.values and record.values["type"] not in spec.subtypes:
            self.fail(record, f"type '{record.values['type']}' is not a {spec.name} type; "
                              f"expected one of: {', '.join(spec.subtypes)}.")
            del record.values["type"]
        self.check_kind_rules(record)
        self.check_evidence(record)

    def check_value(self, record: Record, fld, value):
        if fld.name == "labels":
            return self.check_labels(record, value)
        if fld.many:
            values = value if isinstance(value, list) else [value]
            checked = [self.check_scalar(record, fld, v) for v in values]
            return None if any(c is None for c in checked) else checked
        if isinstance(value, list):
            self.fail(record, f"{record.field_label(fld.name)} holds a list {_shown(value)}; expected one value.")
            return None
        return self.check_scalar(record, fld, value)

    def check_labels(self, record: Record, value):
        """Names by language: one name, or a list whose first name is the preferred one."""
        expected = ("expected a mapping from language codes to names, e.g. {kk: Қазақстан, ru: "
                    "Казахстан}, or to lists of names, the preferred one first")
        if not isinstance(value, dict):
            self.fail(record, f"{record.field_label('labels')} is {_shown(value)}; {expected}.")
            return None
        checked = {}
        for language, names in value.items():
            if not isinstance(language, str) or not LANGUAGE_PATTERN.fullmatch(language):
                self.fail(record, f"{record.field_label('labels')} has the language "
                                  f"{_shown(language)}, which is not a language code; {expected}.")
                return None
            names = names if isinstance(names, list) else [names]
            if not names or not all(isinstance(name, str) and name.strip() for name in names):
                self.fail(record, f"{record.field_label('labels')} gives {_shown(value[language])} "
                                  f"as the '{language}' name; {expected}.")
                return None
            checked[language] = [name.strip() for name in names]
        return checked

    def check_scalar(self, record: Record, fld, value):
        result = _convert(fld.type, value)
        if result is None:
            self.fail(record, f"{record.field_label(fld.name)} is {_shown(value)}; expected {_EXPECTED[fld.type]}.")
            return None
        if fld.type == YEAR and not YEAR_RANGE[0] <= result <= YEAR_RANGE[1]:
            self.fail(record, f"{record.field_label(fld.name)} is {_shown(value)}; expected a year between "
                              f"{YEAR_RANGE[0]} and {YEAR_RANGE[1]}.")
            return None
        if fld.type in (DECIMAL, INTEGER) and result < 0:
            self.fail(record, f"{record.field_label(fld.name)} is {_shown(value)}; expected a number that is not "
                              "negative (amounts and counts cannot be below zero).")
            return None
        return result

    def check_kind_rules(self, record: Record) -> None:
        values = record.values
        if "amount" in values and not CURRENCY_PATTERN.fullmatch(str(values.get("currency", ""))):
            self.fail(record, f"the amount {values['amount']} needs a currency: expected "
                              "'currency:' with an ISO 4217 code such as USD.")
        if record.kind == "observations":
            for name, allowed in (("status", OBSERVATION_STATUSES), ("comparator", COMPARATORS)):
                if name in values and values[name] not in allowed:
                    self.fail(record, f"{name} '{values[name]}' is not known; expected one of: "
                                      f"{', '.join(allowed)}.")
        if values.get("epistemic_status") == "inferred" and not values.get("note"):
            self.fail(record, "an inferred fact says why: expected a 'note' with the reasoning "
                              "that leads from its quote to the fact.")
        if record.kind == "partnerships" and len(values.get("parties", [])) < 2:
            self.fail(record, "a partnership needs at least two parties.")
        if record.kind == "sources" and "languages" in values:
            bad = [v for v in values["languages"] if not LANGUAGE_PATTERN.fullmatch(v)]
            if bad:
                self.fail(record, f"languages {bad!r} are not language codes; expected ISO "
                                  "639-1 codes such as en, kk, ru.")

    def check_evidence(self, record: Record) -> None:
        values = record.values
        items = []
        if "source" in values or "quote" in values:
            items.append({"source": values.pop("source", None), "quote": values.pop("quote", None)})
        raw = values.pop("evidence", None)
        if raw is not None:
            if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
                self.fail(record, "field 'evidence' must be a list of {source: ..., quote: ...}.")
                raw = []
            items.extend(raw)
        for item in items:
            unknown = set(item) - {"source", "quote"}
            if unknown:
                self.fail(record, f"evidence has unknown fields {sorted(unknown)}; expected "
                                  "only 'source' and 'quote'.")
            source, quote = item.get("source"), item.get("quote")
            if not isinstance(source, str) or not source:
                self.fail(record, "evidence without a source: every fact names the id of the "
                                  "source that supports it ('source: <id>').")
                continue
            if quote is not None and (not isinstance(quote, str) or not quote.strip()):
                self.fail(record, f"the quote for source '{source}' is {_shown(quote)}; expected a "
                                  "short verbatim quote from that source.")
                continue
            if quote and len(quote.split()) > QUOTE_MAX_WORDS:
                self.fail(record, f"the quote for source '{source}' has {len(quote.split())} "
                                  f"words; expected a short quote (at most about 40 words).")
            record.evidence.append(Evidence(source, " ".join(quote.split()) if quote else None))
        if record.spec.needs_evidence and not record.evidence:
            self.fail(record, "no source: every record that states a fact names its source and "
                              "a short verbatim quote ('source:' and 'quote:', or 'evidence:').")

    # -- ids and references -------------------------------------------------------------------
    def check_id(self, record: Record) -> None:
        explicit = record.values.get("id")
        if explicit is not None and (not isinstance(explicit, str) or not ID_PATTERN.fullmatch(explicit)):
            self.fail(record, f"id {_shown(explicit)} is not a readable id; expected lower-case "
                              "words joined by hyphens, e.g. de-montfort-university-kazakhstan.")
            return
        record.id = explicit or _derived_id(record)
        if record.id in self.index:
            first = self.index[record.id].where(record.id)
            self.fail(record, f"duplicate id '{record.id}': {first} already defines "
                              "it. One entity, one id: reference the existing record, and keep "
                              "other names as alt_labels.")
            return
        self.index[record.id] = IdEntry(
            record.kind, record.file, record.line,
            record.kind == "sources" and record.values.get("type") == REFERENCE_SOURCE_TYPE)

    def check_references(self, record: Record) -> None:
        for fld in record.spec.fields:
            if fld.type != REF or fld.name not in record.values:
                continue
            values = record.values[fld.name] if fld.many else [record.values[fld.name]]
            for value in values:
                self.check_reference(record, fld, value)
        for evidence in record.evidence:
            self.check_reference(record, _SOURCE_FIELD, evidence.source, evidence.quote is None)

    def check_reference(self, where: Record | str, fld, value: str, quoteless: bool = False,
                        final: bool = False) -> None:
        """Check that ``value`` names a record (or concept) of a kind ``fld`` accepts and, for
        evidence without a quote, that the source is a general reference. ``where`` is the
        record, or where it was written once it is gone."""
        vocab_kinds = [k for k in fld.targets if k in VOCABULARIES]
        if any(value in self.vocabularies.get(kind, ()) for kind in vocab_kinds):
            return
        target = self.index.get(value)
        if target is None and not final:
            where = where if isinstance(where, str) else where.where()
            self.pending.append((where, fld, value, quoteless))
            return
        if target is not None and target.kind in fld.targets:
            if quoteless and target.kind == "sources" and not target.reference_source:
                self.fail(where, f"evidence from source '{value}' has no quote; "
                                 "expected a short verbatim quote from that source.")
            return
        expected = ", ".join(fld.targets)
        if target is not None:
            self.fail(where, f"field '{fld.name}' refers to '{value}', which is a {target.kind} "
                             f"record ({target.where(value)}); expected a reference to: {expected}.")
            return
        candidates = [i for i, entry in self.index.items() if entry.kind in fld.targets]
        for kind in vocab_kinds:
            candidates.extend(self.vocabularies.get(kind, ()))
        self.fail(where, f"field '{fld.name}' refers to '{value}', which no record defines"
                         f"{_suggest(str(value), candidates)}; expected the id of one of: {expected}.")


#: What a value of each field type must be, for messages.
_EXPECTED = {
    TEXT: "text", STRENGTHS: "text", REF: "the id of a record", YEAR: "a year (a whole number)",
    DATE: "a calendar date written YYYY-MM-DD", INTEGER: "a whole number that is not negative",
    DECIMAL: "a finite number", BOOLEAN: "true or false",
    WIKIDATA: "a Wikidata item id such as Q232",
}


def _shown(value, limit: int = 200) -> str:
    """A value as it appears in a message: its repr, cut short (a message quotes a value, it
    does not copy a document)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _longest_text(value) -> int:
    """The length of the longest text in a value (a text, or texts in lists and mappings)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return max(map(_longest_text, value), default=0)
    return 0
_SOURCE_FIELD = KINDS["observations"].field_named("source")


def _convert(kind: str, value):
    """The value as the Python type of a field kind, or None when it is not one."""
    if kind in (TEXT, STRENGTHS, REF):
        return value.strip() if isinstance(value, str) and value.strip() else None
    if kind in (YEAR, INTEGER):
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == DECIMAL:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None  # .nan and .inf are no xsd:decimal
    if kind == WIKIDATA:
        return value if isinstance(value, str) and WIKIDATA_PATTERN.fullmatch(value) else None
    if kind == DATE:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None
    if kind == BOOLEAN:
        return value if isinstance(value, bool) else None
    raise ValueError(kind)


#: Fields that say how strong a fact is or what the coder thinks of it, not what it states.
_UNDERIVED_FIELDS = ("epistemic_status", "note")


def _derived_id(record: Record) -> str:
    """A stable id for a relation or observation written without one.

    Made of the kind, the ids it links, and a short digest of all its values, so that the
    same record always gets the same IRI and two different records never share one.
    """
    import hashlib
    import json

    spec = record.spec
    ends = [record.values.get(t.subject) for t in spec.truthy] + \
           [record.values.get(t.object) for t in spec.truthy if not t.pairwise]
    if spec.name == "observations":
        ends = [record.values.get("subject"), record.values.get("indicator")]
    ends = [e for e in ends if isinstance(e, str)]
    # The grade and the coder's note are left out: marking a fact inferred (which needs a
    # note), accepting a proposal or rewording a remark keeps its IRI.
    payload = json.dumps({k: str(v) for k, v in sorted(record.values.items())
                          if k not in _UNDERIVED_FIELDS}, sort_keys=True, ensure_ascii=False)
    payload += "|" + "|".join(f"{e.source}:{e.quote}" for e in record.evidence)
    digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()[:8]
    singular = spec.name.rstrip("s").replace("_", "-")
    return "-".join([singular, *ends, digest])
