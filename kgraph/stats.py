"""Counts that tell a researcher what the graph holds: by class, by relation, by source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Graph, URIRef

from .namespaces import DCTERMS, RDF, SPR


@dataclass
class GraphStats:
    """Records per class, links per relation, facts per source, and the triple count."""

    classes: dict[str, int]
    relations: dict[str, int]
    sources: dict[str, int]
    triples: int

    @property
    def entities(self) -> int:
        return sum(self.classes.values())

    def as_dict(self) -> dict:
        return {"triples": self.triples, "records": self.entities, "classes": self.classes,
                "relations": self.relations, "facts_per_source": self.sources}


def graph_stats(graph: Graph) -> GraphStats:
    """Count the records of the data (nodes with an identifier), their links and sources."""
    records = {s for s in graph.subjects(DCTERMS.identifier, None) if str(s).startswith(str(SPR))}
    short = graph.namespace_manager.normalizeUri
    classes = Counter(short(o) for s in records for o in graph.objects(s, RDF.type))
    relations = Counter(
        short(p) for s in records for p, o in graph.predicate_objects(s)
        if o in records and p not in (DCTERMS.source, RDF.type))
    sources = Counter(str(o)[len(str(SPR)):] for s in records for o in graph.objects(s, DCTERMS.source)
                      if isinstance(o, URIRef))
    return GraphStats(_sorted(classes), _sorted(relations), _sorted(sources), len(graph))


def _sorted(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def format_stats(stats: GraphStats) -> str:
    """The counts as three aligned tables."""
    parts = [f"{stats.triples} triples, {stats.entities} records"]
    for title, counts in (("records per class", stats.classes),
                          ("links per relation", stats.relations),
                          ("facts per source", stats.sources)):
        parts.append(f"\n{title}:")
        width = max((len(k) for k in counts), default=0)
        parts.extend(f"  {name.ljust(width)}  {count:>6}" for name, count in counts.items())
    return "\n".join(parts)
