"""Viz stage: the entity network as one interactive HTML page that works offline.

The picture is what most users open first, often on a laptop with no internet. So the page
is a single self-contained file: vis-network (the copy that ships inside pyvis), the page's
own script and styles are inlined, a Content-Security-Policy forbids every request, and no
font or image is fetched. pyvis's own HTML is not used: even its "in_line" mode loads
Bootstrap from a CDN, and it switches to raw ``innerHTML`` popups when a title contains
"href".

Safety: the data travels as JSON in a ``<script type="application/json">`` element with
``<``, ``>`` and ``&`` escaped, and the page builds its tooltips and legend with
``textContent``, so a label such as ``<img src=x onerror=alert(1)>`` shows as text.

Readability at size: up to ``PHYSICS_MAX_NODES`` nodes, vis-network lays the graph out
with a bounded stabilisation and then stops its physics; above that, positions come from
:func:`ring_layout`, computed here in seconds even at 20,000 nodes, and the page draws them
at once with physics off (a button resumes it).

The page exposes ``window.kgraph`` (``nodeCount()``, ``edgeCount()``, ``search(text)``,
``filterClass(name, visible)``, ``filterChannel(id, visible)``, ``togglePhysics()``,
``isStabilised()``, ...) for scripts and the browser tests. ``docs/viz.md`` describes the
page and the views.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .choices import (DEFAULT_EPISTEMIC_STATUS, EPISTEMIC_STATUSES, LANGUAGES, REFERENCE_SOURCE_TYPE, SIZE_METRICS,
                      VIEWS)
from .errors import InputError, KgraphError
from .indicators import PLACE_RELATIONS, SPHERE_RELATIONS, STATE_KINDS, UNSPECIFIED
from .namespaces import SPR, SPV
from .network import NODE_CLASSES, node_year

if TYPE_CHECKING:  # networkx is imported by the functions that need it
    import networkx as nx

DEFAULT_SIZE_BY = "pagerank"
#: Centralities every tooltip shows, cheap even at 20,000 nodes; the size metric is added.
TOOLTIP_METRICS = ("degree_in", "degree_out", "pagerank")
METRIC_LABELS = {"degree_in": "In-degree", "degree_out": "Out-degree", "degree": "Degree",
                 "pagerank": "PageRank", "pagerank_weighted": "PageRank (weighted)",
                 "betweenness": "Betweenness", "eigenvector": "Eigenvector",
                 "closeness": "Closeness"}

#: Up to this many nodes the browser lays the graph out; above it, :func:`ring_layout` does.
PHYSICS_MAX_NODES = 300
#: Distance between neighbouring nodes on a ring of :func:`ring_layout`, in vis-network units.
RING_SPACING = 60.0
#: Columns and rows of :func:`layered_layout`, in vis-network units.
LAYER_GAP, LAYER_SPACING = 420.0, 56.0
#: Node sizes (radius, vis-network units): the node's area grows with the size metric.
MIN_SIZE, MAX_SIZE = 6.0, 36.0

GRAPH_HTML_FILE = "graph.html"
VIS_NETWORK = "vis-9.1.2"
TEMPLATES = Path(__file__).parent / "templates"

#: Colour and shape of each record kind, in the legend under its class. Central Asian states
#: stand apart from the external ones; ``channels`` are the channel nodes of the
#: actors-channels view.
NODE_STYLES = {
    "states": ("#c0392b", "diamond"),
    "central_asian_states": ("#1a5276", "diamond"),
    "blocs": ("#8e44ad", "star"),
    "regions": ("#138d75", "triangleDown"),
    "cities": ("#48c9b0", "triangle"),
    "organisations": ("#2471a3", "square"),
    "government_bodies": ("#1b2631", "square"),
    "universities": ("#f39c12", "dot"),
    "branch_campuses": ("#d35400", "hexagon"),
    "cultural_centres": ("#e74c3c", "hexagon"),
    "companies": ("#717d7e", "square"),
    "people": ("#a569bd", "dot"),
    "programmes": ("#27ae60", "triangle"),
    "events": ("#f1c40f", "star"),
    "policy_documents": ("#6e2c00", "square"),
    "channels": ("#e84393", "hexagon"),
}
#: Nodes of a kind the table does not know (data from a Turtle file, synthetic graphs).
OTHER_NODE_STYLE = ("#99a3a4", "dot")
#: Class name shown in the legend for each record kind (its kind's class, not a subclass).
KIND_CLASSES = {kind: base for kind, base, _ in NODE_CLASSES.values()} | {
    "central_asian_states": "Central Asian State", "channels": "InfluenceChannel"}

#: Edge colours: (legend entry, colour, relations). The soft-power relations each have their
#: own colour; reference links are grouped by what they say (belonging, location).
EDGE_STYLES = (
    ("influences", "#c0392b", ("influences",)),
    ("partnerOf", "#27ae60", ("partnerOf",)),
    ("memberOf", "#8e44ad", ("memberOf",)),
    ("holdsRoleIn", "#a1887f", ("holdsRoleIn",)),
    ("investsIn", "#e67e22", ("investsIn",)),
    ("funds", "#d4ac0d", ("funds",)),
    ("sendsStudentsTo", "#2471a3", ("sendsStudentsTo",)),
    ("respondsTo", "#16a085", ("respondsTo",)),
    ("usesChannel", "#e84393", ("usesChannel",)),
    ("channelReaches", "#c0392b", ("channelReaches",)),
    ("belongs to", "#7f8c8d", SPHERE_RELATIONS),
    ("lies in", "#76d7c4", PLACE_RELATIONS),
)
OTHER_EDGE_STYLE = ("other links", "#c8ced3")
#: Relation -> (legend entry, colour); the first style naming a relation wins (homeCountry
#: both belongs to a state and lies in it: it is drawn as belonging).
EDGE_GROUPS = {relation: (group, colour) for group, colour, relations in reversed(EDGE_STYLES)
               for relation in relations}

#: Node attributes shown in tooltips, in this order, with their labels.
NODE_FACTS = (("opened", "Opened"), ("founded", "Founded"), ("launched", "Launched"),
              ("year", "Year"), ("date", "Date"), ("status", "Status"), ("type", "Type"),
              ("scale", "Stated scale"), ("occupation", "Occupation"), ("iso_code", "ISO code"),
              ("channel", "Channels"))
#: Edge attributes shown in tooltips (``amount`` with its currency, ``count`` as students).
EDGE_FACTS = (("year", "Year"), ("amount", "Amount"), ("count", "Count"),
              ("channel", "Channels"), ("instrument", "Instruments"), ("role", "Role"),
              ("scope", "Scope"), ("record", "Record"))
#: What an edge's ``count`` counts, where it is not a plain count.
COUNT_NAMES = {"sendsStudentsTo": "Students", "usesChannel": "Instruments", "channelReaches": "Instruments"}
MONEY_RELATIONS = ("investsIn", "funds")
#: Instruments listed by name in a tooltip; the rest are counted.
MAX_LISTED = 12


# --- evidence: the sources and quotes behind nodes and edges ---------------------------------

@dataclass
class Evidence:
    """What stands behind each fact (entity or relation record), by fact id: its sources and
    quotes, its label and kind, its epistemic status where it is not ``stated`` and the
    coder's note; and the title of each source, and which sources are general references
    (country codes, geography: cited without a quote, not claims of the corpus)."""

    quotes: dict[str, list[tuple[str, str | None]]]
    titles: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)

    def status(self, fact: str) -> str:
        """``stated``, ``inferred`` or ``proposed``."""
        return self.statuses.get(fact, DEFAULT_EPISTEMIC_STATUS)


_IRI_END = re.compile(r"[^\s<>\"{}|\\^`]+")


def load_evidence(graph, facts: Iterable[str] | None = None) -> Evidence:
    """The sources and verbatim quotes of every fact, with its label, kind, epistemic status
    and note (the named query ``fact-sources``); with ``facts`` (ids), of those facts only,
    read with the same query restricted to them."""
    from .query import run, run_for

    if facts is None:
        sourced = run(graph, "fact-sources")
    else:  # an id that cannot end an IRI names no fact of the graph
        facts = {f for f in facts if _IRI_END.fullmatch(f)}
        sourced = run_for(graph, "fact-sources", "fact", {SPR[f] for f in facts}) if facts else []
    quotes: dict[str, dict] = defaultdict(dict)
    titles, labels, kinds, statuses, notes, references = {}, {}, {}, {}, {}, {}
    prefix = str(SPR)
    for row in sourced:
        fact = str(row["fact"])
        if not fact.startswith(prefix):
            continue
        fact = fact[len(prefix):]
        quotes[fact][(row["source"], row["quote"])] = None
        titles[row["source"]] = row["title"]
        if row["source_type"] == REFERENCE_SOURCE_TYPE:
            references[row["source"]] = row["title"]
        kinds.setdefault(fact, row["kind"])
        if row["label"] is not None:
            labels.setdefault(fact, str(row["label"]))
        if row["epistemic_status"] not in (None, DEFAULT_EPISTEMIC_STATUS):
            statuses[fact] = row["epistemic_status"]
        if row["note"]:
            notes.setdefault(fact, row["note"])
    return Evidence({fact: list(found) for fact, found in quotes.items()}, titles, labels, kinds,
                    statuses, notes, references)


def load_vocabulary(graph) -> dict[str, dict[str, str]]:
    """Labels of the controlled vocabularies (channels, audiences, effects, statuses) by id,
    then by language (``en``, and ``kk``, ``ru`` where the ontology gives them), from the
    named query ``framework-concepts``."""
    from .query import run

    found = {}
    for row in run(graph, "framework-concepts"):
        if str(row["concept_iri"]).startswith(str(SPV)):
            found[row["id"]] = {lang: row[f"label_{lang}"] for lang in LANGUAGES if row[f"label_{lang}"]}
    return found


# --- views -----------------------------------------------------------------------------------

def select_view(network, view: str | None = None, focus: str | None = None, depth: int = 1):
    """The network a view draws: ``full`` as is, ``ego`` around ``focus`` (the default view
    when a focus is given), ``actors-channels`` as :func:`actors_channels`."""
    from .network import ego_network

    view = view or ("ego" if focus else "full")
    if view not in VIEWS:
        raise InputError(f"Unknown view '{view}'; expected one of: {', '.join(VIEWS)}.")
    if view == "ego":
        if not focus:
            raise InputError("The ego view needs an entity to centre on: give --focus ENTITY "
                             "(an entity's id or label, such as kazakhstan or Қазақстан).")
        return ego_network(network, focus, depth)
    if focus:
        raise InputError(f"--focus '{focus}' applies to the ego view only, not to the "
                         f"'{view}' view; leave --view out or use --view ego.")
    return actors_channels(network) if view == "actors-channels" else network


def _is_external(attributes: dict) -> bool:
    return attributes.get("kind") in STATE_KINDS and attributes.get("central_asian") is not True


def actors_channels(network) -> "nx.MultiDiGraph":
    """External actors, the influence channels they use and the Central Asian states they
    reach: edges actor -> channel (``usesChannel``) and channel -> state (``channelReaches``),
    each carrying the instruments behind it, from ``kgraph.indicators.soft_power_relations``."""
    import networkx as nx

    from .indicators import soft_power_relations

    instruments: dict[tuple, set] = defaultdict(set)  # (from, to, relation) -> instruments
    years: dict[tuple, list] = defaultdict(list)
    for relation in soft_power_relations(network):
        provider, receiver = network.nodes[relation.provider], network.nodes[relation.receiver]
        if not (_is_external(provider) and receiver.get("central_asian") is True):
            continue
        for channel in relation.channels or {UNSPECIFIED}:
            for link in ((relation.provider, f"channel:{channel}", "usesChannel"),
                         (f"channel:{channel}", relation.receiver, "channelReaches")):
                instruments[link].add(relation.instrument)
                if relation.year is not None:
                    years[link].append(relation.year)
    view = nx.MultiDiGraph(name="actors and channels", channels=network.graph.get("channels", ""))
    ends = {end for link in instruments for end in link[:2]}
    view.add_nodes_from((n, network.nodes[n]) for n in sorted(ends) if n in network)
    for node in sorted(ends - set(network)):
        channel = node[len("channel:"):]
        view.add_node(node, id=node, label=channel, kind="channels", channel=channel,
                      **{"class": "InfluenceChannel"})
    for (u, v, relation), found in sorted(instruments.items()):
        channel = (u if relation == "channelReaches" else v)[len("channel:"):]
        edge = {"relation": relation, "qualified": False, "count": len(found),
                "instrument": ";".join(sorted(found)), "channel": channel}
        if years[(u, v, relation)]:
            edge["year"] = min(years[(u, v, relation)])
        view.add_edge(u, v, key=f"{u}|{relation}|{v}", **edge)
    return view


# --- layout ----------------------------------------------------------------------------------

def ring_layout(network, spacing: float = RING_SPACING) -> dict[str, tuple[float, float]]:
    """Positions for graphs too big for the browser to lay out: deterministic, and fast
    enough for 20,000 nodes (``benchmarks/bench_viz.py``).

    Nodes are grouped by their Louvain community (``kgraph.indicators.communities``), so that
    what is linked sits together. Each connected part of a community is drawn as rings
    around its best-connected node: ring d holds the nodes d links away, in breadth-first
    order (so a node's neighbours sit in the sector of its parent), at least ``spacing``
    apart. The parts are then packed in rows, largest first. Measured here, networkx's
    spring layout takes 34 s at 5,000 nodes and its spectral layout 38 s at 20,000.
    """
    from .indicators import communities

    community = communities(network)
    neighbours: dict[str, set] = {n: set() for n in network}
    for u, v in network.edges():
        if u != v and community[u] == community[v]:
            neighbours[u].add(v)
            neighbours[v].add(u)
    placed: set = set()
    parts = []
    for root in sorted(network, key=lambda n: (-len(neighbours[n]), str(n))):
        if root not in placed:
            placed.add(root)
            parts.append(_rings(root, neighbours, placed, spacing))
    return _pack(sorted(parts, key=lambda part: -len(part[1])), spacing)


def _rings(root, neighbours, placed, spacing) -> tuple[float, dict]:
    """The nodes reachable from ``root`` as rings around it: the outer radius and the
    positions around (0, 0)."""
    positions = {root: (0.0, 0.0)}
    level, radius = [root], 0.0
    while True:
        following = []
        for node in level:
            for other in sorted(neighbours[node], key=str):
                if other not in placed:
                    placed.add(other)
                    following.append(other)
        if not following:
            return radius, positions
        radius = max(radius + spacing, len(following) * spacing / (2 * math.pi))
        for index, node in enumerate(following):
            angle = 2 * math.pi * index / len(following)
            positions[node] = (radius * math.cos(angle), radius * math.sin(angle))
        level = following


def _pack(parts, spacing) -> dict[str, tuple[float, float]]:
    """Parts (ring layouts around (0, 0)) in rows of square cells, left to right, top to bottom."""
    width = max(math.sqrt(sum((2 * r + spacing) ** 2 for r, _ in parts)),
                max(2 * r + spacing for r, _ in parts)) if parts else 0.0
    positions = {}
    x = y = row_height = 0.0
    for radius, found in parts:
        cell = 2 * radius + spacing
        if x and x + cell > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (px, py) in found.items():
            positions[node] = (round(x + cell / 2 + px), round(y + cell / 2 + py))
        x += cell
        row_height = max(row_height, cell)
    return positions


def layered_layout(view, column_gap: float = LAYER_GAP, spacing: float = LAYER_SPACING
                   ) -> dict[str, tuple[float, float]]:
    """Positions for the actors-channels view in three columns, actors -> channels -> Central
    Asian states, so that it reads left to right instead of as a tangle: actors ranked by how
    many instruments they use, each channel and state placed at the mean height of what
    links into it (the barycentre heuristic, which keeps crossings few)."""
    actors = sorted((n for n in view if not str(n).startswith("channel:") and view.in_degree(n) == 0),
                    key=lambda n: (-sum(d.get("count", 1) for _, _, d in view.out_edges(n, data=True)), str(n)))
    height = {node: index for index, node in enumerate(actors)}
    columns = [actors]
    for layer in (lambda n: str(n).startswith("channel:"),
                  lambda n: not str(n).startswith("channel:") and n not in height):
        nodes = [n for n in view if layer(n)]
        mean = {n: sum(height[u] for u, _ in view.in_edges(n) if u in height) / max(1, view.in_degree(n))
                for n in nodes}
        ordered = sorted(nodes, key=lambda n: (mean[n], str(n)))
        height.update({node: index for index, node in enumerate(ordered)})
        columns.append(ordered)
    # Every column spreads over the height of the longest, so that short ones breathe.
    extent = (max(len(column) for column in columns) - 1) * spacing
    positions = {}
    for index, column in enumerate(columns):
        step = extent / (len(column) - 1) if len(column) > 1 else 0.0
        for row, node in enumerate(column):
            positions[node] = (round(index * column_gap), round(-extent / 2 + row * step) if step else 0)
    return positions


# --- the page's data -------------------------------------------------------------------------

def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _label(attributes: dict, node, lang: str) -> str:
    return str(attributes.get(f"label_{lang}") or attributes.get("label") or node)


def has_own_label(attributes: dict, lang: str) -> bool:
    """True when the entity has a name in ``lang`` (English names are the default)."""
    return lang == "en" or bool(attributes.get(f"label_{lang}"))


def vocabulary_label(vocabulary: dict, concept: str, lang: str) -> tuple[str, bool]:
    """A vocabulary concept's label in ``lang`` and whether it had to fall back to English
    (or, for a concept the vocabulary does not know, to its id)."""
    labels = vocabulary.get(concept, {})
    if labels.get(lang):
        return labels[lang], False
    return labels.get("en") or concept, lang != "en"


def _names(network, ids: str, lang: str) -> str:
    """";"-joined ids as labels, the first ``MAX_LISTED`` of them, then how many more."""
    found = [i for i in str(ids).split(";") if i]
    names = [_label(network.nodes[i], i, lang) if i in network else i for i in found[:MAX_LISTED]]
    more = f" and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    return ", ".join(names) + more


def _key_figures(network) -> dict[str, list[list[str]]]:
    """Money invested or funded and students sent, out and in, per node, from its edges."""
    money: dict[tuple, float] = defaultdict(float)
    students: dict[tuple, int] = defaultdict(int)
    for u, v, data in network.edges(data=True):
        if data.get("relation") in MONEY_RELATIONS and "amount" in data:
            currency = data.get("currency", "")
            money[(u, "Invests or funds", currency)] += data["amount"]
            money[(v, "Receives investment or funding", currency)] += data["amount"]
        elif data.get("relation") == "sendsStudentsTo" and "count" in data:
            students[(u, "Students sent")] += data["count"]
            students[(v, "Students received")] += data["count"]
    figures: dict[str, list[list[str]]] = defaultdict(list)
    for (node, name, currency), total in sorted(money.items()):
        figures[node].append([name, f"{_number(total)} {currency}".strip()])
    for (node, name), total in sorted(students.items()):
        figures[node].append([name, _number(total)])
    return figures


def _node_channels(network) -> dict[str, set[str]]:
    """Channels a node takes part in: its own and those of its edges."""
    found = {n: {c for c in str(d.get("channel", "")).split(";") if c} for n, d in network.nodes(data=True)}
    for u, v, data in network.edges(data=True):
        channels = {c for c in str(data.get("channel", "")).split(";") if c}
        found[u] |= channels
        found[v] |= channels
    return found


def _sizes(values: dict) -> dict:
    """Node radius from a metric: the area grows linearly from the smallest value to the largest."""
    low, high = min(values.values(), default=0), max(values.values(), default=0)
    if high <= low:
        return {n: round((MIN_SIZE + MAX_SIZE) / 2, 2) for n in values}
    return {n: round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt((v - low) / (high - low)), 2)
            for n, v in values.items()}


def _metric_text(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def fact_status(attributes: dict, evidence: Evidence, fact: str) -> str:
    """A node's or edge's epistemic status: the network's own attribute where the projection
    carries one, else what the graph says of its record."""
    return str(attributes.get("epistemic_status") or evidence.status(fact))


def edge_status(network, source, attributes: dict, evidence: Evidence) -> str:
    """An edge's epistemic status: its record's, or for a plain edge (a field of its
    subject's record) the subject's."""
    if attributes.get("record"):
        return fact_status(attributes, evidence, str(attributes["record"]))
    return fact_status({**network.nodes[source], **attributes}, evidence, str(source))


def page_data(network, evidence: Evidence | None = None, *, size_by: str = DEFAULT_SIZE_BY,
              lang: str = "en", title: str = "Soft-power network", vocabulary: dict | None = None,
              focus: str | None = None, hidden_classes: Iterable[str] = (),
              positions: dict | None = None) -> dict:
    """Everything the page draws, as plain JSON-ready data, in a fixed order.

    ``focus`` is the entity an ego view centres on (drawn largest and marked);
    ``hidden_classes`` the classes hidden when the page opens (a toggle shows them);
    ``positions`` fixed positions (else the browser lays out up to ``PHYSICS_MAX_NODES``
    nodes and :func:`ring_layout` the rest)."""
    from .words import Words

    if size_by not in SIZE_METRICS:
        raise InputError(f"Cannot size nodes by '{size_by}'; expected one of: {', '.join(SIZE_METRICS)}.")
    if positions is None:
        positions = ring_layout(network) if network.number_of_nodes() > PHYSICS_MAX_NODES else {}
    page = _Page(network, evidence or Evidence({}, {}), Words(lang), vocabulary or {}, lang)
    nodes = page.nodes(size_by, focus, positions)
    edges = page.edges()
    present = {item["group"] for item in nodes}
    return {
        "title": title, "lang": lang, "sizeBy": page.words(f"metric.{size_by}"),
        "physics": not positions,
        "classes": _class_legend(network, page.words),
        "hiddenClasses": [c for c in sorted(set(hidden_classes)) if c in present],
        "relations": _relation_legend(edges, page.words),
        "channels": _channel_legend(network, nodes, page.vocabulary, lang),
        "statuses": _status_legend(nodes, edges, page.vocabulary, lang),
        "years": sorted({item["year"] for item in nodes + edges if "year" in item}),
        "untranslated": sum(1 for item in nodes if item.get("untranslated")),
        "words": page.words.for_page(k for k in page.words.table if k.startswith(("graph.", "language.", "status."))),
        "nodes": nodes, "edges": edges, **page.cited(),
    }


@dataclass
class _Page:
    """The network page's nodes and edges as it draws them, and the facts they cite."""

    network: object
    evidence: Evidence
    words: object
    vocabulary: dict
    lang: str
    cited_facts: set = field(default_factory=set)
    noted_facts: set = field(default_factory=set)

    def nodes(self, size_by: str, focus: str | None, positions: dict) -> list[dict]:
        """Every node, by id: its label (and English name where it shows another), class,
        size, channels, position, year, facts, centralities, status, evidence and note."""
        from .indicators import centralities

        metrics = list(dict.fromkeys((*TOOLTIP_METRICS, size_by)))
        rows = {row["id"]: row for row in centralities(self.network, metrics)}
        sizes = _sizes({n: rows[n][size_by] for n in rows})
        if focus in sizes:
            sizes[focus] = MAX_SIZE
        figures = _key_figures(self.network)
        channels = _node_channels(self.network)
        nodes = []
        for node, attributes in sorted(self.network.nodes(data=True), key=lambda item: str(item[0])):
            names = self._names(node, attributes)
            item = {"id": str(node), "label": names.pop("label"), "class": str(attributes.get("class", "")),
                    "group": _class_group(attributes), "size": sizes[node], "channels": sorted(channels[node]),
                    **names}
            if node in positions:
                item["x"], item["y"] = positions[node]
            if node_year(attributes) is not None:
                item["year"] = node_year(attributes)
            if node == focus:
                item["focus"] = True
            item["facts"] = _node_facts(attributes, self.words, self.vocabulary, self.lang) + [
                [self.words(f"fact.{name}"), value] for name, value in figures.get(node, [])]
            item["metrics"] = [[self.words(f"metric.{m}"), _metric_text(rows[node][m])] for m in metrics]
            self._cite(item, str(node), fact_status(attributes, self.evidence, str(node)), noted=True)
            nodes.append(item)
        return nodes

    def _names(self, node, attributes: dict) -> dict:
        """The node's label in the page's language, marked when it falls back to English,
        with its English name where that differs."""
        names = {"label": _label(attributes, node, self.lang)}
        if attributes.get("kind") == "channels":
            names["label"], untranslated = vocabulary_label(self.vocabulary, attributes["channel"], self.lang)
        else:
            untranslated = not has_own_label(attributes, self.lang)
        if untranslated:
            names["untranslated"] = True
        if names["label"] != str(attributes.get("label", node)):
            names["en"] = str(attributes.get("label", node))
        return names

    def edges(self) -> list[dict]:
        """Every edge, in (source, target, key) order: its relation, legend group, channels,
        facts, year, status, evidence and note."""
        network, words = self.network, self.words
        edges = []
        ordered = sorted(network.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
        for index, (u, v, _, attributes) in enumerate(ordered):
            relation = str(attributes.get("relation", ""))
            item = {"id": f"e{index}", "from": str(u), "to": str(v), "relation": relation,
                    "title": words(f"relation.{relation}") if f"relation.{relation}" in words.table else relation,
                    "group": EDGE_GROUPS.get(relation, OTHER_EDGE_STYLE)[0],
                    "channels": sorted(c for c in str(attributes.get("channel", "")).split(";") if c),
                    "facts": _edge_facts(network, relation, attributes, self.lang, words, self.vocabulary)}
            if attributes.get("qualified"):
                item["qualified"] = True
            if isinstance(attributes.get("year"), int):
                item["year"] = attributes["year"]
            self._cite(item, str(attributes.get("record") or u), edge_status(network, u, attributes, self.evidence),
                       noted=bool(attributes.get("record")))
            edges.append(item)
        return edges

    def _cite(self, item: dict, fact: str, status: str, noted: bool) -> None:
        """Mark a node or edge with its status (where not stated), the fact whose quotes
        stand behind it and, when ``noted``, the fact whose note it shows."""
        if status != DEFAULT_EPISTEMIC_STATUS:
            item["status"] = status
        if fact in self.evidence.quotes:
            item["evidence"] = fact
            self.cited_facts.add(fact)
        if noted and fact in self.evidence.notes:
            item["note"] = fact
            self.noted_facts.add(fact)

    def cited(self) -> dict:
        """The quotes, notes and source titles of the facts the nodes and edges cite."""
        evidence, cited = self.evidence, sorted(self.cited_facts)
        return {
            "evidence": {fact: [list(pair) for pair in evidence.quotes[fact]] for fact in cited},
            "notes": {fact: evidence.notes[fact] for fact in sorted(self.noted_facts)},
            "sources": {s: evidence.titles[s] for s in sorted({s for f in cited for s, _ in evidence.quotes[f]})
                        if s in evidence.titles},
        }


def style_kind(attributes: dict) -> str | None:
    """The key of an entity's style in ``NODE_STYLES`` (the report's charts draw entities in
    the same colours): its record kind, with Central Asian states apart from the others."""
    kind = attributes.get("kind")
    return "central_asian_states" if kind == "states" and attributes.get("central_asian") is True else kind


def _class_group(attributes: dict) -> str:
    return KIND_CLASSES.get(style_kind(attributes), str(attributes.get("class") or "Entity"))


def _channel_names(value, vocabulary: dict, lang: str) -> str:
    return ", ".join(vocabulary_label(vocabulary, c, lang)[0] for c in str(value).split(";") if c)


def _node_facts(attributes: dict, words, vocabulary: dict, lang: str) -> list[list[str]]:
    return [[words(f"fact.{name}"), _channel_names(attributes[key], vocabulary, lang) if key == "channel"
             else _number(attributes[key])]
            for key, name in NODE_FACTS if key in attributes]


def _edge_facts(network, relation: str, attributes: dict, lang: str, words, vocabulary: dict) -> list[list[str]]:
    facts = []
    for key, name in EDGE_FACTS:
        if key not in attributes:
            continue
        value = attributes[key]
        if key == "amount":
            text = f"{_number(value)} {attributes.get('currency', '')}".strip()
        elif key == "count":
            name = COUNT_NAMES.get(relation, name)
            text = _number(value)
        elif key == "instrument":
            text = _names(network, value, lang)
        elif key == "channel":
            text = _channel_names(value, vocabulary, lang)
        else:
            text = _number(value)
        facts.append([words(f"fact.{name}"), text])
    return facts


def _class_legend(network, words) -> list[dict]:
    """Classes in the order of ``NODE_STYLES``, then any others by name, with their counts and
    their names in the page's language."""
    counts = defaultdict(int)
    kinds = {}
    for _, attributes in network.nodes(data=True):
        group = _class_group(attributes)
        counts[group] += 1
        kinds.setdefault(group, style_kind(attributes))
    order = {KIND_CLASSES[k]: i for i, k in enumerate(NODE_STYLES)}
    legend = []
    for group in sorted(counts, key=lambda g: (order.get(g, len(order)), g)):
        colour, shape = NODE_STYLES.get(kinds[group], OTHER_NODE_STYLE)
        key = f"class.{group}"
        known = key in words.table
        legend.append({"name": group, "title": words(key) if known else group,
                       "untranslated": words.missing(key) if known else words.lang != "en",
                       "colour": colour, "shape": shape, "count": counts[group]})
    return legend


def _relation_legend(edges: list[dict], words) -> list[dict]:
    """Edge colours in the order of ``EDGE_STYLES``, those used only, with their counts."""
    counts = defaultdict(int)
    for item in edges:
        counts[item["group"]] += 1
    styles = [(g, c) for g, c, _ in EDGE_STYLES] + [OTHER_EDGE_STYLE]
    return [{"name": g, "title": words(f"relation.{g}"), "untranslated": words.missing(f"relation.{g}"),
             "colour": c, "count": counts[g]} for g, c in styles if counts[g]]


def _channel_legend(network, nodes: list[dict], vocabulary: dict, lang: str) -> list[dict]:
    """Channels with their labels and node counts, in the network's vocabulary order, then any
    others, then "" for the nodes in no channel."""
    counts = defaultdict(int)
    for item in nodes:
        for channel in item["channels"] or [""]:
            counts[channel] += 1
    order = [c for c in str(network.graph.get("channels", "")).split(";") if c]
    used = [c for c in order if c in counts] + sorted(c for c in counts if c and c not in order)
    legend = []
    for channel in used:
        label, untranslated = vocabulary_label(vocabulary, channel, lang)
        legend.append({"id": channel, "label": label, "untranslated": untranslated, "count": counts[channel]})
    if "" in counts:
        legend.append({"id": "", "label": "", "untranslated": False, "count": counts[""]})
    return legend


def _status_legend(nodes: list[dict], edges: list[dict], vocabulary: dict, lang: str) -> list[dict]:
    """How many nodes and edges stand on each epistemic status, with the status's name."""
    legend = []
    for status in EPISTEMIC_STATUSES:
        count = sum(1 for item in nodes + edges if item.get("status", DEFAULT_EPISTEMIC_STATUS) == status)
        label, untranslated = vocabulary_label(vocabulary, status, lang)
        legend.append({"id": status, "label": label, "untranslated": untranslated, "count": count})
    return legend


# --- the page --------------------------------------------------------------------------------

def _vis_network_files() -> tuple[str, str]:
    """vis-network's script and style sheet, as shipped inside pyvis (without importing it)."""
    spec = importlib.util.find_spec("pyvis")
    folder = Path(next(iter(spec.submodule_search_locations))) if spec else None
    library = folder / "templates" / "lib" / VIS_NETWORK if folder else None
    if library is None or not (library / "vis-network.min.js").is_file():
        raise KgraphError(f"vis-network ({VIS_NETWORK}) was not found inside the installed pyvis "
                          f"package (looked in {library}); reinstall it with "
                          "'pip install pyvis>=0.3.2'.")
    return ((library / "vis-network.min.js").read_text(encoding="utf-8"),
            (library / "vis-network.css").read_text(encoding="utf-8"))


def json_for_script(data) -> str:
    """JSON safe inside an HTML ``<script>`` element: ``<``, ``>`` and ``&`` as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def template_environment():
    """The Jinja2 environment of kgraph's pages: every value escaped unless marked safe."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              keep_trailing_newline=True)


def render_page(data: dict) -> str:
    """The self-contained HTML page for :func:`page_data`'s data."""
    from markupsafe import Markup  # a dependency of jinja2

    from .words import Words

    script, style = _vis_network_files()
    return template_environment().get_template("graph.html.j2").render(
        title=data["title"], lang=data["lang"], words=Words(data["lang"]),
        vis_script=Markup(script), vis_style=Markup(style),
        page_script=Markup((TEMPLATES / "graph.js").read_text(encoding="utf-8")),
        page_style=Markup((TEMPLATES / "graph.css").read_text(encoding="utf-8")),
        data=Markup(json_for_script(data)))


def graph_html(network, evidence: Evidence | None = None, **options) -> str:
    """The interactive page of an entity network (or any network with its attributes);
    ``options`` are those of :func:`page_data`."""
    return render_page(page_data(network, evidence, **options))


@dataclass
class GraphPage:
    """A rendered page and the size of the network it draws."""

    html: str
    nodes: int
    edges: int

    def _repr_html_(self) -> str:
        """The page in a notebook, in an iframe of its own (``kgraph.notebook``)."""
        from .notebook import embedded_page

        return embedded_page(self.html)


#: Classes the full view hides when it opens, behind a toggle: they crowd the picture of who
#: reaches whom through which channel.
CONTEXT_CLASSES = ("Person", "City", "PolicyDocument")


def graph_page(source, *, network=None, view: str | None = None, focus: str | None = None, depth: int = 1,
               channels: Iterable[str] = (), classes: Iterable[str] = (), until: int | None = None,
               size_by: str = DEFAULT_SIZE_BY, lang: str = "en", evidence: Evidence | None = None) -> GraphPage:
    """The page of one view of a compiled graph or a store (``kgraph.store``): filters
    (channel, class, year) first, then the view; quotes come from the graph's evidence.
    ``network`` is the source's projection and ``evidence`` its quotes when the caller has
    read them already."""
    from .network import entity_id, filter_network, project
    from .store import queryable

    if lang not in LANGUAGES:
        raise InputError(f"Unknown language '{lang}'; expected one of: {', '.join(LANGUAGES)}.")
    if focus:
        focus = entity_id(source, focus, "--focus")
    network = filter_network(network if network is not None else project(source), channels=list(channels), classes=list(classes), until=until)
    network = select_view(network, view, focus, depth)
    view = view or ("ego" if focus else "full")
    graph = queryable(source)
    options = {"size_by": size_by, "lang": lang, "title": _title(network, view, focus, depth, lang),
               "vocabulary": load_vocabulary(graph)}
    if view == "ego":
        options["focus"] = focus
    elif view == "full" and not classes:
        options["hidden_classes"] = CONTEXT_CLASSES
    else:
        options["positions"] = layered_layout(network) if view == "actors-channels" else None
    html = graph_html(network, evidence if evidence is not None else load_evidence(graph), **options)
    return GraphPage(html, network.number_of_nodes(), network.number_of_edges())


def _title(network, view, focus, depth, lang) -> str:
    if view == "ego":
        return f"Soft-power network around {_label(network.nodes[focus], focus, lang)} (depth {depth})"
    return {"full": "Soft-power network", "actors-channels": "External actors, channels and Central Asian states"}[view]


def write_graph_html(kg, path: Path, **options) -> Path:
    """Write the page of a compiled graph (the full view unless told) to ``path``."""
    from .files import write_atomic

    return write_atomic(Path(path), graph_page(kg, **options).html)
