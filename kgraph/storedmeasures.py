"""The network's measures kept with an on-disk store, for the commands that rank one entity
among all the others.

A brief says where its entity ranks by PageRank, betweenness or the brokerage indicator
among every entity of the network: it needs every centrality, every indicator and the
soft-power relations they stand on (``kgraph.indicators.measure``), which take minutes to
compute at a million triples; its timeline needs the dated facts of its instruments, each
with the ends of all its edges, which would take their whole neighbourhoods to read.
``kgraph build --store oxigraph:DIR`` computes them anyway for ``centrality.csv`` and
``indicators.csv``; it keeps them in a SQLite database, ``DIR/kgraph-measures.sqlite``
(which answers an entity's rank by counting, without loading every row), written into the
staging store before that store takes the place of the previous one. The store and its
measures are renamed into place together, by one rename: a rebuilt store never meets the
measures of the store it replaced.

The database also records what it measured: the names and sizes of the store's files (any
change to the store writes new ones; see ``OxigraphStore.files``), the kgraph version and
the database's format. A store changed since its build, or measured by another version of
kgraph, has no usable measures (:class:`MeasuresUnavailable` says why), and the commands
compute them again rather than show numbers that may no longer describe it.

Tables, readable with any SQLite client (``sqlite3 DIR/kgraph-measures.sqlite``):

    centrality          one row per entity, the columns of centrality.csv
    channel_portfolio, multivector, benefactor_balance, brokerage
                        one row per row of each indicator (``kgraph indicators``)
    relations           the soft-power relations: provider, receiver, instrument,
                        channels and bases (";"-joined), year
    institutions        the institutions whose own instruments reach Central Asia, with
                        their instruments, channels and states (the site's second group)
    dated_facts         the dated facts a timeline shows (``kgraph.network.dated_facts``):
                        year, kind, fact, ends and channels (JSON lists); dated_ends
                        lists each fact's ends, to find the facts of an entity
    disagreements       the IRIs of the entities the sources disagree about (the subjects
                        of ``kgraph query source-disagreements``): a brief asks the query
                        about these of its entities only, most often none
    about               format, kgraph version, the store's files, entity counts

Rows keep their order in the ``position`` column; values keep their types (no column has a
declared type). A float that is not a number (Burt's constraint of an isolated entity) is
kept as the text ``NaN``, which SQLite would otherwise turn into NULL, meaning "none" here;
the ``columns`` table lists each table's columns and those that hold numbers.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .indicators import INDICATORS, PLACE_KINDS, NetworkMeasures, SoftPowerRelation, institution_reach
from .network import DatedFact, dated_facts

MEASURES_FILE = "kgraph-measures.sqlite"
#: The layout of the database; a database of another format is not read.
FORMAT = 3
CENTRALITY_TABLE = "centrality"
INSTITUTIONS_TABLE = "institutions"
RELATIONS_TABLE = "relations"
DATED_TABLE = "dated_facts"
DISAGREEMENTS_TABLE = "disagreements"
#: The soft-power relations' columns.
RELATION_COLUMNS = ("provider", "receiver", "instrument", "channels", "year", "bases")
#: How a NaN is kept (see the module's docstring).
NOT_A_NUMBER = "NaN"


class MeasuresUnavailable(InputError):
    """The store has no measures that describe it; the message says why."""


def table_name(indicator: str) -> str:
    return indicator.replace("-", "_")


# --- writing -----------------------------------------------------------------------------------

def disagreement_subjects(store) -> list[str]:
    """The IRIs of the entities ``source-disagreements`` finds sources disagreeing about
    (0.7 s at a million triples), to keep with the measures: read before the store closes."""
    from .query import run

    return sorted({str(row["subject_iri"]) for row in run(store, "source-disagreements")})


def write_measures(store, network, measures: NetworkMeasures, disagreements: list[str]) -> Path:
    """Keep the measures of ``network`` (the projection of ``store``) and the subjects of
    its sources' ``disagreements`` (:func:`disagreement_subjects`) in the store's folder.

    Called on a build's staging store once it is closed: the files it records are those
    the store will have when it is read."""
    from . import __version__

    path = store.folder / MEASURES_FILE
    path.unlink(missing_ok=True)
    files = store.files(ignore=(MEASURES_FILE,))
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute("CREATE TABLE about (key TEXT PRIMARY KEY, value TEXT)")
            connection.execute("CREATE TABLE columns (name TEXT PRIMARY KEY, columns TEXT, numeric TEXT)")
            _write_table(connection, CENTRALITY_TABLE, measures.centralities)
            for column in ("id", "community"):
                connection.execute(f"CREATE INDEX centrality_{column} ON {CENTRALITY_TABLE} ({_quoted(column)})")
            for name in INDICATORS:
                _write_table(connection, table_name(name), measures.indicators[name])
            _write_relations(connection, measures.relations)
            _write_table(connection, INSTITUTIONS_TABLE, institution_reach(network, measures.relations))
            _write_dated_facts(connection, dated_facts(network))
            connection.execute(f"CREATE TABLE {DISAGREEMENTS_TABLE} (subject TEXT PRIMARY KEY)")
            connection.executemany(f"INSERT INTO {DISAGREEMENTS_TABLE} VALUES (?)", ((s,) for s in disagreements))
            places = sum(1 for _, data in network.nodes(data=True) if data.get("kind") in PLACE_KINDS)
            about = {"format": FORMAT, "version": __version__, "files": files,
                     "entities": network.number_of_nodes(), "places": places}
            connection.executemany("INSERT INTO about VALUES (?, ?)",
                                   [(key, json.dumps(value)) for key, value in about.items()])
    finally:
        connection.close()
    return path


def _write_table(connection, name: str, rows: list[dict]) -> None:
    columns = list(rows[0]) if rows else []
    if any(list(row) != columns for row in rows):
        raise ValueError(f"the rows of {name} do not all have the same columns")
    # No declared types: SQLite then keeps every value as given (a REAL column would turn
    # the integers of a column into floats).
    connection.execute(f"CREATE TABLE {_quoted(name)} (position INTEGER PRIMARY KEY"
                       + "".join(f", {_quoted(c)}" for c in columns) + ")")
    numeric = [c for c in columns if any(isinstance(row[c], float) for row in rows)]
    connection.execute("INSERT INTO columns VALUES (?, ?, ?)", (name, json.dumps(columns), json.dumps(numeric)))
    marks = ", ".join("?" * (len(columns) + 1))
    connection.executemany(f"INSERT INTO {_quoted(name)} VALUES ({marks})",
                           ([position, *(_kept(row[c]) for c in columns)] for position, row in enumerate(rows)))


def _write_relations(connection, relations: list[SoftPowerRelation]) -> None:
    connection.execute(f"CREATE TABLE {RELATIONS_TABLE} (position INTEGER PRIMARY KEY, provider TEXT, "
                       "receiver TEXT, instrument TEXT, channels TEXT, year INTEGER, bases TEXT)")
    connection.executemany(
        f"INSERT INTO {RELATIONS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
        ([position, r.provider, r.receiver, r.instrument, ";".join(sorted(r.channels)), r.year,
          ";".join(sorted(r.bases))] for position, r in enumerate(relations)))
    for column in ("provider", "receiver", "instrument"):
        connection.execute(f"CREATE INDEX relations_{column} ON {RELATIONS_TABLE} ({column})")


def _write_dated_facts(connection, facts: list[DatedFact]) -> None:
    connection.execute(f"CREATE TABLE {DATED_TABLE} (position INTEGER PRIMARY KEY, year INTEGER, kind TEXT, "
                       "fact TEXT, ends TEXT, channels TEXT)")
    connection.execute("CREATE TABLE dated_ends (position INTEGER, node TEXT)")
    connection.executemany(f"INSERT INTO {DATED_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                           ([position, f.year, f.kind, f.fact, json.dumps(f.ends), json.dumps(f.channels)]
                            for position, f in enumerate(facts)))
    connection.executemany("INSERT INTO dated_ends VALUES (?, ?)",
                           ((position, end) for position, f in enumerate(facts) for end in f.ends))
    connection.execute(f"CREATE INDEX dated_facts_fact ON {DATED_TABLE} (fact)")
    connection.execute("CREATE INDEX dated_ends_node ON dated_ends (node)")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kept(value):
    """A value as SQLite keeps it; only the plain types of the measures' rows are expected."""
    if isinstance(value, bool) or not (value is None or isinstance(value, (int, float, str))):
        raise TypeError(f"cannot keep {value!r} ({type(value).__name__}) among the measures")
    return NOT_A_NUMBER if isinstance(value, float) and math.isnan(value) else value


# --- reading -----------------------------------------------------------------------------------

@dataclass
class StoredMeasures:
    """The measures kept with a store: an entity's centralities and its ranks among all,
    counted by SQLite; the indicators, each loaded when first asked for; the soft-power
    relations and dated facts, looked up by entity."""

    connection: sqlite3.Connection
    entities: int
    places: int
    _columns: dict = field(default_factory=dict, repr=False)

    @functools.cached_property
    def indicators(self) -> dict[str, list[dict]]:
        """Every indicator's rows (``kgraph indicators``), a table read when first asked for."""
        return _Tables(lambda name: self._table(table_name(name)))

    def has_entity(self, node: str) -> bool:
        return self.connection.execute(f"SELECT 1 FROM {CENTRALITY_TABLE} WHERE id = ?", (node,)).fetchone() is not None

    def centrality_row(self, node: str) -> dict:
        """The entity's row of ``centrality.csv``; ``KeyError`` for an unknown one."""
        found = self._row(CENTRALITY_TABLE, {"id": node})
        if found is None:
            raise KeyError(node)
        return found

    def centrality_rank(self, metric: str, node: str) -> tuple[int, int, bool]:
        """As ``kgraph.report.explain.rank_among`` ranks the entity among all by a
        centrality (highest first): its competition rank, how many, whether it shares it."""
        position, _, tied = self._rank(CENTRALITY_TABLE, metric, self.centrality_row(node)[metric], {})
        return position, self.entities, tied

    def indicator_row(self, name: str, column: str, node: str, where: dict | None = None) -> dict | None:
        """The row of an indicator whose ``column`` is the entity, among those that hold the
        values ``where`` gives (the overall rows of the benefactor balance), if it has one."""
        return self._row(table_name(name), {**(where or {}), column: node})

    def indicator_rank(self, name: str, value: str, mine, where: dict | None = None,
                       higher_first: bool = True) -> tuple[int, int, bool]:
        """Where ``mine`` ranks among an indicator's rows (those that hold the values
        ``where`` gives) by the number in their ``value`` column, as
        ``kgraph.report.explain.rank_among`` ranks: competition rank, how many, tied."""
        return self._rank(table_name(name), value, mine, where or {}, higher_first)

    def _row(self, table: str, where: dict) -> dict | None:
        """The first row of a table that holds these values, with its NaNs as floats."""
        columns, numeric = self._layout(table)
        if not columns:
            return None
        found = self.connection.execute(f"SELECT {', '.join(map(_quoted, columns))} FROM {_quoted(table)} "
                                        f"WHERE {_conditions(where)} ORDER BY position LIMIT 1",
                                        tuple(where.values())).fetchone()
        if found is None:
            return None
        return {c: math.nan if c in numeric and v == NOT_A_NUMBER else v for c, v in zip(columns, found)}

    def _rank(self, table: str, value: str, mine, where: dict, higher_first: bool = True) -> tuple[int, int, bool]:
        """Competition rank of ``mine`` among the numbers of ``value`` in the rows that hold
        ``where``'s values, how many there are, and whether another row has it too."""
        if value not in self._layout(table)[0]:
            raise ValueError(f"no column {value!r} in {table}")
        column = _quoted(value)
        # A kept NaN is the text 'NaN', and a missing value NULL: neither is ranked.
        better, equal, counted = self.connection.execute(
            f"SELECT COUNT(CASE WHEN {column} {'>' if higher_first else '<'} ? THEN 1 END), "
            f"COUNT(CASE WHEN {column} = ? THEN 1 END), COUNT(*) FROM {_quoted(table)} "
            f"WHERE typeof({column}) IN ('integer', 'real') AND {_conditions(where)}",
            (mine, mine, *where.values())).fetchone()
        return better + 1, counted, equal > 1

    def community(self, community) -> tuple[int, list[str]]:
        """How many entities a community has, and the names of its three with the highest
        PageRank (ties by id)."""
        size = self.connection.execute(f"SELECT COUNT(*) FROM {CENTRALITY_TABLE} WHERE community = ?",
                                       (community,)).fetchone()[0]
        leading = [label for (label,) in self.connection.execute(
            f"SELECT label FROM {CENTRALITY_TABLE} WHERE community = ? AND typeof(pagerank) IN ('integer', 'real') "
            "ORDER BY pagerank DESC, id LIMIT 3", (community,))]
        return size, leading

    def _layout(self, name: str) -> tuple[list[str], set[str]]:
        """A table's columns and those that hold numbers."""
        if name not in self._columns:
            columns, numeric = map(json.loads, self.connection.execute(
                "SELECT columns, numeric FROM columns WHERE name = ?", (name,)).fetchone())
            self._columns[name] = (columns, set(numeric))
        return self._columns[name]

    def _table(self, name: str) -> list[dict]:
        columns, numeric = self._layout(name)
        if not columns:
            return []
        selected = ", ".join(_quoted(c) for c in columns)
        rows = [dict(zip(columns, row)) for row in
                self.connection.execute(f"SELECT {selected} FROM {_quoted(name)} ORDER BY position")]
        # Few rows hold a NaN: SQLite finds them faster than Python would look at every value.
        for column in numeric:
            for (position,) in self.connection.execute(
                    f"SELECT position FROM {_quoted(name)} WHERE {_quoted(column)} = ?", (NOT_A_NUMBER,)):
                rows[position][column] = math.nan
        return rows

    def institutions(self) -> list[dict]:
        """The institutions whose own instruments reach Central Asia, as
        ``kgraph.indicators.institution_reach`` gave them at the build."""
        return self._table(INSTITUTIONS_TABLE)

    def disagreed_about(self, iris) -> set[str]:
        """Those of these entity IRIs that sources disagree about."""
        found = set()
        for chunk in _chunks(sorted(set(iris))):
            found.update(row[0] for row in self.connection.execute(
                f"SELECT subject FROM {DISAGREEMENTS_TABLE} WHERE subject IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def dated_facts_of(self, nodes) -> list[DatedFact]:
        """The dated facts that are one of ``nodes`` or have one among their ends, in the
        order ``kgraph.network.dated_facts`` gives them."""
        found = {}
        for chunk in _chunks(sorted(set(nodes))):
            marks = ", ".join("?" * len(chunk))
            found.update((row[0], row) for row in self.connection.execute(
                f"SELECT position, year, kind, fact, ends, channels FROM {DATED_TABLE} WHERE fact IN ({marks}) "
                f"OR position IN (SELECT position FROM dated_ends WHERE node IN ({marks}))", chunk + chunk))
        return [DatedFact(year, kind, fact, tuple(json.loads(ends)), tuple(json.loads(channels)))
                for _, year, kind, fact, ends, channels in (found[p] for p in sorted(found))]

    def relations(self, column: str, values) -> list[SoftPowerRelation]:
        """The soft-power relations whose ``column`` (provider, receiver or instrument) is
        one of ``values``, in the order ``soft_power_relations`` gives them."""
        if column not in ("provider", "receiver", "instrument"):
            raise ValueError(f"relations are looked up by provider, receiver or instrument, not {column}")
        found = []
        for chunk in _chunks(sorted(set(values))):
            found += self.connection.execute(
                f"SELECT position, {', '.join(RELATION_COLUMNS)} FROM {RELATIONS_TABLE} "
                f"WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
        return [SoftPowerRelation(provider, receiver, instrument, set(filter(None, channels.split(";"))),
                                  year, set(filter(None, bases.split(";"))))
                for _, provider, receiver, instrument, channels, year, bases in sorted(found)]


class _Tables(dict):
    """The indicators' tables by name, each read when first asked for."""

    def __init__(self, load):
        super().__init__()
        self._load = load

    def __missing__(self, name: str) -> list[dict]:
        if name not in INDICATORS:
            raise KeyError(name)
        self[name] = self._load(name)
        return self[name]

    def get(self, name: str, default=None):
        return self[name] if name in INDICATORS else default


def _conditions(where: dict) -> str:
    """The SQL condition that columns hold these values (as parameters, in order)."""
    return " AND ".join(f"{_quoted(column)} = ?" for column in where) or "1"


def _chunks(values: list, size: int = 400) -> list[list]:
    """Lists short enough to be the parameters of one statement (SQLite allows 999)."""
    return [values[start:start + size] for start in range(0, len(values), size)]


def open_measures(store) -> StoredMeasures:
    """The measures kept with ``store``; :class:`MeasuresUnavailable` when there are none
    that describe it as it is."""
    from . import __version__
    from .store import OxigraphStore

    if not isinstance(store, OxigraphStore):
        raise MeasuresUnavailable("measures are kept only with an on-disk store (oxigraph:DIR)")
    path = store.folder / MEASURES_FILE
    if not path.is_file():
        raise MeasuresUnavailable(f"{store.spec} keeps no measures (it was built with --no-network, "
                                  "or by an earlier kgraph)")
    # Read-only and immutable: no journal or lock file is made in the store's folder.
    connection = sqlite3.connect(f"file:{urllib.request.pathname2url(str(path))}?mode=ro&immutable=1", uri=True)
    try:
        about = {key: json.loads(value) for key, value in connection.execute("SELECT key, value FROM about")}
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise MeasuresUnavailable(f"{path} cannot be read ({exc})") from None
    problem = None
    if about.get("format") != FORMAT or about.get("version") != __version__:
        problem = (f"its measures were kept by kgraph {about.get('version')} (format {about.get('format')}), "
                   f"not by this kgraph {__version__}")
    elif [tuple(f) for f in about.get("files", [])] != store.files(ignore=(MEASURES_FILE,)):
        problem = f"{store.spec} has changed since the build that measured it"
    if problem:
        connection.close()
        raise MeasuresUnavailable(problem)
    return StoredMeasures(connection, about["entities"], about["places"])


__all__ = ["MEASURES_FILE", "MeasuresUnavailable", "StoredMeasures", "disagreement_subjects", "open_measures",
           "write_measures"]
