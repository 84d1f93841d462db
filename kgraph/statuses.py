"""Which facts a graph holds when only some epistemic statuses are kept.

Every fact record is ``stated`` (its quote says it), ``inferred`` (the coder concludes it,
and says why in its note) or ``proposed`` (not yet reviewed). ``--status stated`` builds
the strictest graph: only what the sources say in so many words. Leaving a fact out must
not leave the graph broken or half-true, so the selection follows the data format's own
notion of what a record needs (``kgraph.schema``):

1. A fact record (entity, relation or observation) whose status is not kept is left out.
2. A record that needs a left-out entity is left out with it: one whose required reference
   names only left-out entities (an influence relation whose actor is left out, an
   observation of a left-out subject, a branch campus whose host state is left out), or a
   partnership left with fewer than two parties. This repeats until nothing more goes.
3. A record that names a left-out entity where it is optional keeps everything else: the
   reference alone is removed (a programme keeps its other funders, an influence relation
   loses its instrument).

Sources and the ontology are always kept. The network stage applies the same rules to a
projected network (``kgraph.network.by_status``), for graphs already in a store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .errors import InputError
from .schema import DEFAULT_EPISTEMIC_STATUS, EPISTEMIC_STATUSES, KINDS, REF, VOCABULARIES

#: How many values a required many-valued field must keep: a partnership has two parties.
MINIMUM_VALUES = {("partnerships", "parties"): 2}


def checked_statuses(statuses: Iterable[str] | None) -> frozenset[str] | None:
    """The statuses to keep, checked; None when all are kept (nothing to select)."""
    wanted = frozenset(statuses or ())
    unknown = sorted(wanted - set(EPISTEMIC_STATUSES))
    if unknown:
        raise InputError(f"Unknown epistemic status {', '.join(map(repr, unknown))}; expected "
                         f"one or more of: {', '.join(EPISTEMIC_STATUSES)}.")
    return wanted if wanted and wanted != set(EPISTEMIC_STATUSES) else None


def status_of(values: dict) -> str:
    """A record's epistemic status (stated when it names none)."""
    return values.get("epistemic_status") or DEFAULT_EPISTEMIC_STATUS


def _entity_fields(kind: str):
    """The reference fields of a kind that name records (not vocabulary concepts)."""
    return [f for f in KINDS[kind].fields
            if f.type == REF and f.name != "source"
            and not any(t in VOCABULARIES for t in f.targets)]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


class StatusSelection:
    """Selects the records of the kept statuses, and what hangs on them.

    :meth:`learn` sees every record first (the raw records of a file are enough: only ids,
    statuses and required references are read), so that a reference to an entity defined
    in a later file is judged like any other; :meth:`select` then filters records, file by
    file if need be. Only ids are remembered, so a bulk build stays bounded in memory.
    """

    def __init__(self, statuses: Iterable[str]):
        self.kept = frozenset(statuses)
        self._dropped: set[str] = set()
        self._needs: dict[str, list[tuple[list[str], int]]] = {}
        self._closed = True

    def learn(self, records) -> None:
        """Remember which entities are left out by their own status, and what each needs."""
        for record in records:
            values = record.values
            identifier = values.get("id")
            if not isinstance(identifier, str) or not KINDS[record.kind].needs_evidence:
                continue
            if status_of(values) not in self.kept:
                self._dropped.add(identifier)
            needs = self._required(record.kind, values)
            if needs:
                self._needs[identifier] = needs
            self._closed = False

    @property
    def dropped(self) -> set[str]:
        """The ids of the entities left out: by their own status, or by what they need."""
        if not self._closed:
            self._close()
        return self._dropped

    def _close(self) -> None:
        """Leave out every entity that needs only left-out ones, until nothing more goes."""
        dependants = defaultdict(set)
        for identifier, needs in self._needs.items():
            for targets, _ in needs:
                for target in targets:
                    dependants[target].add(identifier)
        pending = list(self._dropped)
        while pending:
            for identifier in dependants.get(pending.pop(), ()):
                if identifier not in self._dropped and self._lacks(self._needs[identifier]):
                    self._dropped.add(identifier)
                    pending.append(identifier)
        self._closed = True

    def _lacks(self, needs) -> bool:
        return any(sum(t not in self._dropped for t in targets) < minimum
                   for targets, minimum in needs)

    @staticmethod
    def _required(kind: str, values: dict) -> list[tuple[list[str], int]]:
        needs = []
        for fld in _entity_fields(kind):
            if fld.required and fld.name in values:
                targets = [v for v in _as_list(values[fld.name]) if isinstance(v, str)]
                needs.append((targets, MINIMUM_VALUES.get((kind, fld.name), 1)))
        return needs

    def select(self, records) -> list:
        """The records kept, with their references to left-out entities removed."""
        dropped = self.dropped
        kept = []
        for record in records:
            values = record.values
            if KINDS[record.kind].needs_evidence and (
                    status_of(values) not in self.kept or values.get("id") in dropped
                    or self._lacks(self._required(record.kind, values))):
                continue
            for fld in _entity_fields(record.kind):
                if fld.name not in values:
                    continue
                if fld.many:
                    remaining = [v for v in values[fld.name] if v not in dropped]
                    if remaining:
                        values[fld.name] = remaining
                    else:
                        del values[fld.name]
                elif values[fld.name] in dropped:  # an optional one: a required one is kept
                    del values[fld.name]
            kept.append(record)
        return kept
