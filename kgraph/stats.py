"""Counts that tell a researcher what the graph holds: by class, by relation, by source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Graph

from .namespaces import DCTERMS, RDF, SP, SPR, bind_prefixes


@dataclass
class GraphStats:
    """Records per class, links per relation, facts per source and per epistemic status,
    and the triple count."""

    classes: dict[str, int]
    relations: dict[str, int]
    sources: dict[str, int]
    statuses: dict[str, int]
    triples: int

    @property
    def entities(self) -> int:
        return sum(self.classes.values())

    def as_dict(self) -> dict:
        return {"triples": self.triples, "records": self.entities, "classes": self.classes,
                "relations": self.relations, "facts_per_source": self.sources,
                "facts_per_status": self.statuses}

    def rows(self) -> list[dict]:
        """The counts as one long table: what is counted, the class, relation or source, how many."""
        return [{"count": title, "key": key, "value": value}
                for title, counts in self._tables() for key, value in counts.items()]

    def _tables(self):
        return (("records per class", self.classes), ("links per relation", self.relations),
                ("facts per source", self.sources), ("facts per epistemic status", self.statuses))

    def to_pandas(self):
        from .notebook import data_frame

        return data_frame(self.rows(), ["count", "key", "value"])

    def _repr_html_(self) -> str:
        """In a notebook: the totals, then a table per count."""
        from .notebook import html_table

        parts = [f"<p>{self.triples:,} triples, {self.entities:,} records</p>"]
        for title, counts in self._tables():
            parts.append(f"<h4>{title}</h4>" + html_table([title.split()[-1], "count"],
                                                          [[k, v] for k, v in counts.items()]))
        return "".join(parts)


_RECORD = f"""?record <{DCTERMS.identifier}> ?identifier .
  FILTER(STRSTARTS(STR(?record), "{SPR}"))"""
_COUNTS = {
    # A record's own class: the standard superclasses it also carries are not counted again.
    "classes": f"""SELECT ?key (COUNT(*) AS ?count) WHERE {{
  {{ SELECT DISTINCT ?record WHERE {{ {_RECORD} }} }}
  ?record <{RDF.type}> ?key .
  FILTER(STRSTARTS(STR(?key), "{SP}"))
}} GROUP BY ?key""",
    "relations": f"""SELECT ?key (COUNT(*) AS ?count) WHERE {{
  {{ SELECT DISTINCT ?record WHERE {{ {_RECORD} }} }}
  ?record ?key ?object .
  FILTER(?key NOT IN (<{DCTERMS.source}>, <{RDF.type}>))
  FILTER EXISTS {{ ?object <{DCTERMS.identifier}> ?other . FILTER(STRSTARTS(STR(?object), "{SPR}")) }}
}} GROUP BY ?key""",
    "sources": f"""SELECT ?key (COUNT(*) AS ?count) WHERE {{
  {{ SELECT DISTINCT ?record WHERE {{ {_RECORD} }} }}
  ?record <{DCTERMS.source}> ?key .
  FILTER(isIRI(?key))
}} GROUP BY ?key""",
    "statuses": f"""SELECT ?key (COUNT(*) AS ?count) WHERE {{
  {{ SELECT DISTINCT ?record WHERE {{ {_RECORD} }} }}
  ?record <{SP.epistemicStatus}> ?key .
}} GROUP BY ?key""",
}
_SHORT = bind_prefixes(Graph()).namespace_manager.normalizeUri


def graph_stats(source) -> GraphStats:
    """Count the records of the data (nodes with an identifier), their links, sources and
    epistemic statuses, in an rdflib graph or a store (``kgraph.store``): four counting
    queries run by the engine,
    so a store of millions of triples is never read into Python."""
    from .query import execute

    counts = {name: Counter() for name in _COUNTS}
    for name, text in _COUNTS.items():
        for key, count in execute(source, text, f"counting {name}").rows:
            label = str(key).rsplit("/", 1)[-1] if name in ("sources", "statuses") else _SHORT(key)
            counts[name][label] += int(count)
    triples = len(source) if isinstance(source, Graph) else source.triple_count()
    return GraphStats(*(_sorted(counts[name]) for name in _COUNTS), triples)


def _sorted(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def format_stats(stats: GraphStats) -> str:
    """The counts as four aligned tables."""
    parts = [f"{stats.triples} triples, {stats.entities} records"]
    for title, counts in stats._tables():
        parts.append(f"\n{title}:")
        width = max((len(k) for k in counts), default=0)
        parts.extend(f"  {name.ljust(width)}  {count:>6}" for name, count in counts.items())
    return "\n".join(parts)
