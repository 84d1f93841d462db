"""Measures of the entity network: centralities, communities and four soft-power indicators.

The projection of ``kgraph.network`` answers "who is linked to whom"; this module turns it
into numbers a researcher can rank and compare: who is central, who brokers between the
spheres of the external powers, which channels each external actor uses, how diversified
each Central Asian state's partnerships are, and whether a state gives more soft power than
it receives. ``docs/indicators.md`` gives every formula and the idea it operationalises.

All functions take the ``networkx.MultiDiGraph`` made by ``kgraph.network.project`` and
return plain rows (lists of dicts), so that the command line, the build and notebooks
format them as they like. Random choices (sampled betweenness, Louvain, the start vector of
igraph's eigenvector solver) use a fixed seed: the same data always gives the same numbers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import random
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .choices import INDICATORS, METRICS
from .files import write_atomic
from .network import simple_digraph, simple_graph

if TYPE_CHECKING:  # igraph is imported by the functions that need it
    import igraph

#: Seed of every random choice (sampled betweenness, Louvain, eigenvector centrality).
SEED = 42
#: Exact betweenness up to this many nodes; above it, sampled with ``BETWEENNESS_SAMPLE`` pivots.
BETWEENNESS_EXACT_MAX_NODES = 1000
BETWEENNESS_SAMPLE = 256
#: Exact closeness up to this many nodes; above it, estimated from ``CLOSENESS_SAMPLE`` pivots.
CLOSENESS_EXACT_MAX_NODES = 5000
CLOSENESS_SAMPLE = 256

#: Column of instruments that name no influence channel.
UNSPECIFIED = "unspecified"

STATE_KINDS = ("states", "blocs")
#: Places, not actors: left out of the actor network of the brokerage indicator.
PLACE_KINDS = ("cities", "regions")

#: How an entity belongs to the sphere of a state or bloc: the first of these relations that
#: leads to one decides (a campus belongs to its parent university's home country).
SPHERE_RELATIONS = ("homeCountry", "governmentBodyOf", "parentInstitution", "sponsoredBy",
                    "fundedBy", "operatedBy", "subOrganizationOf", "nationality", "initiatedBy",
                    "organisedBy", "issuedBy")
#: How an entity lies in a state: hosted there, in one of its cities, or (a region) made of them.
PLACE_RELATIONS = ("hostState", "hostCity", "containedInPlace", "location", "city",
                   "includesState", "reaches", "basedIn", "homeCountry")


# --- centralities ----------------------------------------------------------------------------

def degrees(network) -> dict[str, tuple[int, int, int]]:
    """In-, out- and total degree of each entity, counting parallel edges (one per fact)."""
    return {n: (network.in_degree(n), network.out_degree(n), network.degree(n)) for n in network}


def pagerank(network, weighted: bool = False) -> dict[str, float]:
    """PageRank (damping 0.85) on the directed simple view; weighted by the number of
    parallel edges when ``weighted``. Sums to 1."""
    import networkx as nx

    view = simple_digraph(network)
    weight = "weight" if weighted else None
    try:
        return nx.pagerank(view, alpha=0.85, weight=weight)
    except ImportError:  # networkx's default implementation needs scipy
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python
        return _pagerank_python(view, alpha=0.85, weight=weight)


def simple_view(network):
    """The undirected simple view that betweenness, eigenvector, closeness and Louvain run
    on: ``simple_graph`` of a projection, or the graph itself when it is one already (the
    actor network, or the view ``centralities`` makes once for all four)."""
    return simple_graph(network) if network.is_multigraph() or network.is_directed() else network


def betweenness(network, exact_max_nodes: int = BETWEENNESS_EXACT_MAX_NODES,
                sample: int = BETWEENNESS_SAMPLE, seed: int = SEED) -> tuple[dict[str, float], str]:
    """Normalised betweenness on the undirected simple view (hops, not weights), and how it
    was computed: ``exact``, or ``sampled k=K seed=S`` above ``exact_max_nodes`` nodes.

    The numbers are networkx's (``betweenness_centrality``, with ``k`` and ``seed`` when
    sampled; tested), but Brandes' algorithm runs in igraph's C core, from the same pivots:
    256 pivots on 27,000 nodes take 0.7 s there and 64 s in networkx's pure Python.
    """
    view = simple_view(network)
    nodes, graph = _igraph_of(view)
    count = len(nodes)
    if count <= exact_max_nodes:
        pivots, method = set(nodes), "exact"
        dependencies = graph.betweenness(directed=False)
    else:
        k = min(sample, count)
        # Drawn as networkx draws its pivots, so that the sample is the same.
        drawn = random.Random(seed).sample(nodes, k)
        pivots, method = set(drawn), f"sampled k={k} seed={seed}"
        position = {node: i for i, node in enumerate(nodes)}
        dependencies = graph.betweenness(directed=False, sources=[position[p] for p in drawn])
    if count < 3:  # no node lies between two others
        return dict.fromkeys(nodes, 0.0), method
    # networkx's normalisation of a sample of k sources: a pivot is never between itself and
    # a target, so it is averaged over the other k - 1 pivots. igraph counts each pair of an
    # undirected graph once where networkx counts both directions, hence the 2.
    k = len(pivots)
    as_pivot = 2 / ((k - 1) * (count - 2)) if k > 1 else math.nan
    otherwise = 2 / (k * (count - 2))
    return ({node: value * (as_pivot if node in pivots else otherwise)
             for node, value in zip(nodes, dependencies)}, method)


def eigenvector(network) -> dict[str, float]:
    """Eigenvector centrality on the undirected simple view, weighted by facts per pair, as
    networkx defines it (unit length; nodes outside the leading component near 0).

    Computed by igraph (ARPACK), which agrees with networkx's power iteration to within the
    latter's tolerance (tested) in a twentieth of the time (27,000 nodes: 0.3 s, 7 s).
    """
    view = simple_view(network)
    nodes, graph = _igraph_of(view, weight="weight")
    if not graph.ecount():  # every node alike, as networkx gives them
        return {node: 1 / math.sqrt(len(nodes)) for node in nodes}
    with warnings.catch_warnings(), _seeded_igraph(SEED):
        # igraph warns that centralities near zero mean a disconnected graph, which is what
        # networkx's definition gives them: the measure is documented as such.
        warnings.filterwarnings("ignore", message="Some eigenvector centralities are nearly zero")
        values = graph.eigenvector_centrality(weights="weight")
    length = math.sqrt(sum(value * value for value in values))
    # + 0.0: a node outside the leading component gets 0 or -0, by rounding; both are 0.
    return {node: value / length + 0.0 for node, value in zip(nodes, values)}


@contextlib.contextmanager
def _seeded_igraph(seed: int):
    """igraph with a random generator of its own, seeded: by default it draws from Python's
    ``random`` module, seeded anew in every process, and ARPACK's start vector (eigenvector
    centrality) changed the last digits, and the sign of the zeros, from run to run."""
    import igraph

    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def closeness(network, exact_max_nodes: int = CLOSENESS_EXACT_MAX_NODES,
              sample: int = CLOSENESS_SAMPLE, seed: int = SEED) -> tuple[dict[str, float], str]:
    """Closeness on the undirected simple view (Wasserman-Faust scaling for disconnected
    graphs, networkx's default), and how it was computed.

    Exact closeness is a breadth-first search from every node: hours at 100,000 nodes. Above
    ``exact_max_nodes`` it is estimated from ``sample`` pivots: the share of pivots that reach
    a node over its mean distance to them, which is the exact value when every node is a pivot
    (as it is up to ``exact_max_nodes``). The searches run in igraph: 256 pivots on 27,000
    nodes take 0.6 s there and 16 s in networkx.
    """
    view = simple_view(network)
    nodes, graph = _igraph_of(view)
    if len(nodes) <= exact_max_nodes:
        pivots, method = nodes, "exact"
    else:
        pivots = random.Random(seed).sample(sorted(view), min(sample, len(nodes)))
        method = f"sampled k={len(pivots)} seed={seed}"
    total, reached = _distances_from(graph, nodes, pivots)
    chosen = set(pivots)
    values = {}
    for node, distance, reaching in zip(nodes, total, reached):
        others = len(pivots) - (node in chosen)
        values[node] = (reaching / others) / (distance / reaching) if reaching else 0.0
    return values, method


def _distances_from(graph, nodes: list, pivots: list) -> tuple[list[float], list[int]]:
    """For each node, the sum of its distances from the pivots that reach it, and how many
    do; a few pivots at a time, so that the table of distances stays near a million cells."""
    position = {node: i for i, node in enumerate(nodes)}
    sources = [position[p] for p in pivots]
    total, reached = [0.0] * len(nodes), [0] * len(nodes)
    step = max(1, 1_000_000 // max(1, len(nodes)))
    for start in range(0, len(sources), step):
        rows = graph.distances(source=sources[start:start + step])
        for target, column in enumerate(zip(*rows)):
            lengths = [d for d in column if 0 < d < math.inf]  # 0: the pivot itself
            total[target] += sum(lengths)
            reached[target] += len(lengths)
    return total, reached


def _igraph_of(view, weight: str | None = None) -> tuple[list, "igraph.Graph"]:
    """An undirected simple networkx graph as an igraph graph, whose vertex i is
    ``nodes[i]`` (the networkx graph's own node order), with the ``weight`` edge attribute
    when one is named."""
    import igraph

    nodes = list(view.nodes())
    position = {node: i for i, node in enumerate(nodes)}
    edges = list(view.edges(data=weight or False, default=1))
    graph = igraph.Graph(n=len(nodes), edges=[(position[edge[0]], position[edge[1]]) for edge in edges])
    if weight:
        graph.es[weight] = [edge[2] for edge in edges]
    return nodes, graph


def communities(network, seed: int = SEED) -> dict[str, int]:
    """Louvain communities of the undirected simple view, numbered 0, 1, ... from the largest
    (ties: by their first member's id)."""
    import networkx as nx

    view = simple_view(network)
    found = nx.community.louvain_communities(view, weight="weight", seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {node: number for number, members in enumerate(ordered) for node in members}


def centralities(network, metrics: Iterable[str] | None = None, classes: Iterable[str] | None = None,
                 exact_max_nodes: int = BETWEENNESS_EXACT_MAX_NODES) -> list[dict]:
    """One row per entity: id, label, class and the chosen metrics (all by default).

    Metrics are computed on the whole network; ``classes`` only selects the rows shown. When
    betweenness is asked for, a ``betweenness_method`` column says whether it is exact or
    sampled.
    """
    from .network import check_classes, matches_class

    if classes:
        check_classes(classes)
    metrics = list(metrics or METRICS)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(unknown)}; expected: {', '.join(METRICS)}")
    values: dict[str, dict] = {}
    if {"degree_in", "degree_out", "degree"} & set(metrics):
        found = degrees(network)
        for index, name in enumerate(("degree_in", "degree_out", "degree")):
            values[name] = {n: found[n][index] for n in found}
    if "pagerank" in metrics:
        values["pagerank"] = pagerank(network)
    if "pagerank_weighted" in metrics:
        values["pagerank_weighted"] = pagerank(network, weighted=True)
    on_the_simple_view = {"betweenness", "eigenvector", "closeness", "community"} & set(metrics)
    view = simple_view(network) if on_the_simple_view else None
    method = None
    if "betweenness" in metrics:
        values["betweenness"], method = betweenness(view, exact_max_nodes)
    if "eigenvector" in metrics:
        values["eigenvector"] = eigenvector(view)
    closeness_method = None
    if "closeness" in metrics:
        values["closeness"], closeness_method = closeness(view)
    if "community" in metrics:
        values["community"] = communities(view)
    rows = []
    for node, data in sorted(network.nodes(data=True)):
        if classes and not matches_class(data, classes):
            continue
        row = {"id": node, "label": data.get("label", node), "class": data.get("class", "")}
        row.update({m: values[m][node] for m in metrics})
        if method:
            row["betweenness_method"] = method
        if closeness_method:
            row["closeness_method"] = closeness_method
        rows.append(row)
    return rows


def top(rows: list[dict], metric: str, n: int | None) -> list[dict]:
    """The rows ranked by a metric, highest first (ties by id), the first ``n`` of them."""
    ranked = sorted(rows, key=lambda r: (-(r[metric] if r[metric] is not None else -math.inf), r["id"]))
    return ranked[:n] if n else ranked


# --- who belongs to whom, who lies where ------------------------------------------------------

class _Geography:
    """Spheres (the states or blocs an entity belongs to) and places (the states it lies in)."""

    def __init__(self, network):
        self.network = network
        self.out = defaultdict(lambda: defaultdict(list))
        for u, v, data in network.edges(data=True):
            self.out[u][data.get("relation")].append(v)
            if data.get("relation") == "funds":  # a funding record counts as fundedBy
                self.out[v]["fundedBy"].append(u)
        self._spheres: dict[str, frozenset] = {}

    def is_state(self, node) -> bool:
        return self.network.nodes[node].get("kind") in STATE_KINDS

    def central_asian(self, node) -> bool:
        return self.network.nodes[node].get("central_asian") is True

    def external(self, node) -> bool:
        """A state or bloc outside Central Asia."""
        return self.is_state(node) and not self.central_asian(node)

    def sphere(self, node, visiting: frozenset = frozenset()) -> frozenset:
        if node in self._spheres:
            return self._spheres[node]
        if self.is_state(node):
            return frozenset({node})
        found: frozenset = frozenset()
        if node not in visiting and len(visiting) < 6:
            for relation in SPHERE_RELATIONS:
                targets = sorted(set(self.out[node].get(relation, ())))
                found = frozenset().union(*(self.sphere(t, visiting | {node}) for t in targets))
                if found:
                    break
        if not visiting:
            self._spheres[node] = found
        return found

    def places(self, node, visiting: frozenset = frozenset()) -> frozenset:
        if self.is_state(node):
            return frozenset({node})
        if node in visiting or len(visiting) > 4:
            return frozenset()
        for relation in PLACE_RELATIONS:
            targets = sorted(set(self.out[node].get(relation, ())))
            found = frozenset().union(*(self.places(t, visiting | {node}) for t in targets))
            if found:
                return found
        return frozenset()


@dataclass
class SoftPowerRelation:
    """A provider state or bloc projecting influence into a receiver through an instrument."""

    provider: str
    receiver: str
    instrument: str
    channels: set[str] = field(default_factory=set)
    year: int | None = None
    bases: set[str] = field(default_factory=set)


def soft_power_relations(network) -> list[SoftPowerRelation]:
    """The directed soft-power relations the network states (see ``docs/indicators.md``).

    One per (provider, receiver, instrument): an influence relation naming a campus as its
    instrument and the campus itself are one relation, not two.
    """
    geo = _Geography(network)
    found: dict[tuple, SoftPowerRelation] = {}

    def add(providers, receivers, instrument, channel, year, basis):
        for provider in sorted(providers):
            for receiver in sorted(receivers):
                if provider == receiver:
                    continue
                key = (provider, receiver, instrument)
                relation = found.setdefault(key, SoftPowerRelation(provider, receiver, instrument))
                relation.channels |= {c for c in str(channel or "").split(";") if c}
                if isinstance(year, int) and not isinstance(year, bool):
                    relation.year = year if relation.year is None else min(relation.year, year)
                relation.bases.add(basis)

    for u, v, key, data in sorted(network.edges(keys=True, data=True), key=lambda e: e[:3]):
        relation = data.get("relation")
        if relation == "influences":
            instrument = data.get("instrument") or data.get("record") or key
            add(geo.sphere(u), geo.places(v), instrument, data.get("channel"), data.get("year"),
                "influence relation")
        elif relation == "investsIn":
            add(geo.sphere(u), geo.places(v), v, data.get("channel"), data.get("year"), "investment")
        elif relation == "funds":
            add(geo.sphere(u), geo.places(v), v, data.get("channel"), data.get("year"), "funding")
        elif relation == "sendsStudentsTo":  # the host educates the origin's students
            add(geo.places(v), geo.places(u), data.get("record") or key, data.get("channel"),
                data.get("year"), "student flow")
    for node, data in sorted(network.nodes(data=True)):
        kind, year = data.get("kind"), data.get("opened", data.get("launched", data.get("year")))
        if kind == "programmes":
            add(geo.sphere(node), geo.places(node), node, data.get("channel"), year, "programme")
        elif kind in ("branch_campuses", "cultural_centres"):
            add(geo.sphere(node), geo.places(node), node, data.get("channel"), year,
                {"branch_campuses": "branch campus", "cultural_centres": "cultural centre"}[kind])
        elif kind == "events":
            receivers = {p for t in geo.out[node].get("participant", ()) for p in geo.places(t)}
            receivers |= {p for t in geo.out[node].get("hostState", ()) for p in geo.places(t)}
            providers = geo.sphere(node)
            add(providers, receivers - providers, node, data.get("channel"), year, "event")
    return [found[k] for k in sorted(found)]


#: The kinds of institution that act through instruments of their own: a university, a
#: company, an organisation, a government body (states and blocs give relations as providers).
INSTITUTION_KINDS = ("universities", "companies", "organisations", "government_bodies")
#: How an institution owns an instrument: what it funds or invests in, and what names it by one
#: of the sphere relations (a campus its parent university, a programme its operator).
OWNING_RELATIONS = ("funds", "investsIn")


def _owned(u, v, key, data) -> tuple[str, str] | None:
    """The (institution, instrument) one edge of the network states, if it states one: the
    instrument or record of an influence relation, what is funded, what names its owner."""
    relation = data.get("relation")
    if relation == "influences":
        return u, data.get("instrument") or data.get("record") or key
    if relation in OWNING_RELATIONS:
        return u, v
    if relation in SPHERE_RELATIONS:
        return v, u
    return None


def own_instruments(network, actor: str) -> set[str]:
    """What an institution acts through: itself, the instruments and records of its influence
    relations, and what it funds, invests in, operates, sponsors, organises or is the parent of."""
    edges = list(network.out_edges(actor, keys=True, data=True)) + list(network.in_edges(actor, keys=True, data=True))
    return {actor} | {owned[1] for owned in (_owned(*edge) for edge in edges) if owned and owned[0] == actor}


def institution_reach(network, relations: list[SoftPowerRelation] | None = None) -> list[dict]:
    """The institutions (``INSTITUTION_KINDS``) whose own instruments reach a Central Asian
    state from outside it (a soft-power relation with an external provider): per institution
    its distinct instruments, channels and states reached, most instruments first (ties by
    id). One pass over the edges and one over the relations, whatever the network's size."""
    geo = _Geography(network)
    institutions = {n for n, data in network.nodes(data=True)
                    if data.get("kind") in INSTITUTION_KINDS and not any(map(geo.central_asian, geo.sphere(n)))}
    owners: dict[str, set[str]] = defaultdict(set)
    for node in institutions:
        owners[node].add(node)
    for u, v, key, data in network.edges(keys=True, data=True):
        owned = _owned(u, v, key, data)
        if owned and owned[0] in institutions:
            owners[owned[1]].add(owned[0])
    reach: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for relation in _relations(network, relations):
        if (relation.instrument in owners and geo.central_asian(relation.receiver)
                and geo.is_state(relation.receiver)
                and not geo.central_asian(relation.provider)):
            for institution in owners[relation.instrument]:
                reach[institution]["instruments"].add(relation.instrument)
                reach[institution]["channels"] |= relation.channels
                reach[institution]["states"].add(relation.receiver)
    rows = [{"institution": node, "label": _label(network, node), "instruments": len(found["instruments"]),
             "channels": len(found["channels"]), "states": len(found["states"])} for node, found in reach.items()]
    return sorted(rows, key=lambda r: (-r["instruments"], r["institution"]))


# --- the four indicators -------------------------------------------------------------------

def _relations(network, relations: list[SoftPowerRelation] | None) -> list[SoftPowerRelation]:
    return soft_power_relations(network) if relations is None else relations


def _label(network, node) -> str:
    return str(network.nodes[node].get("label", node)) if node in network else node


def channel_portfolio(network, relations: list[SoftPowerRelation] | None = None) -> list[dict]:
    """For each external state or bloc: distinct instruments per influence channel in Central
    Asia (the actor x channel matrix of competency question 1). ``relations``: the network's
    soft-power relations, when the caller has them already."""
    geo = _Geography(network)
    vocabulary = [c for c in str(network.graph.get("channels", "")).split(";") if c]
    cells: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for relation in _relations(network, relations):
        if geo.external(relation.provider) and geo.central_asian(relation.receiver):
            for channel in relation.channels or {UNSPECIFIED}:
                cells[relation.provider][channel].add(relation.instrument)
    used = sorted({c for row in cells.values() for c in row} - {UNSPECIFIED})
    columns = [c for c in vocabulary if c in used] + [c for c in used if c not in vocabulary]
    if any(UNSPECIFIED in row for row in cells.values()):
        columns.append(UNSPECIFIED)
    rows = []
    for actor in sorted(cells):
        instruments = set().union(*cells[actor].values())
        row = {"actor": actor, "label": _label(network, actor), "instruments": len(instruments),
               "channels": sum(1 for c in cells[actor] if c != UNSPECIFIED)}
        row.update({c: len(cells[actor].get(c, ())) for c in columns})
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["instruments"], r["actor"]))


def concentration(counts: dict[str, int]) -> dict:
    """Partners, relations, HHI, 1 - HHI, Shannon entropy (nats), normalised entropy and the
    effective number of partners of a distribution of relations over partners."""
    counts = {p: n for p, n in counts.items() if n > 0}
    total, k = sum(counts.values()), len(counts)
    if not total:
        return {"partners": 0, "relations": 0, "hhi": None, "diversification": None,
                "entropy": None, "entropy_normalised": None, "effective_partners": None}
    shares = [n / total for n in counts.values()]
    hhi = sum(s * s for s in shares)
    entropy = 0.0 - sum(s * math.log(s) for s in shares)
    return {"partners": k, "relations": total, "hhi": hhi, "diversification": 1 - hhi,
            "entropy": entropy, "entropy_normalised": entropy / math.log(k) if k > 1 else 0.0,
            "effective_partners": 1 / hhi}


def multivector_index(network, relations: list[SoftPowerRelation] | None = None) -> list[dict]:
    """For each Central Asian state: its external partners across soft-power relations (both
    directions), partnerships and shared memberships, and how concentrated they are."""
    geo = _Geography(network)
    counts: dict[str, Counter] = {n: Counter() for n in network if geo.central_asian(n)}
    for relation in _relations(network, relations):
        for state, partner in ((relation.receiver, relation.provider),
                               (relation.provider, relation.receiver)):
            if state in counts and geo.external(partner):
                counts[state][partner] += 1
    partnerships = set()
    for u, v, data in network.edges(data=True):
        if data.get("relation") == "partnerOf":
            fact = data.get("record") or tuple(sorted((u, v)))
            for state in geo.sphere(u) | geo.places(u):
                for partner in geo.sphere(v) | geo.places(v):
                    partnerships.add((state, partner, fact))
    members = defaultdict(set)  # organisation -> states and blocs among its members
    for u, v, data in network.edges(data=True):
        if data.get("relation") == "memberOf":
            members[v] |= geo.sphere(u)
    for organisation, states in members.items():
        for state in states:
            for partner in states - {state}:
                partnerships.add((state, partner, ("member", organisation)))
    for state, partner, _ in sorted(partnerships, key=str):
        if state in counts and geo.external(partner):
            counts[state][partner] += 1
    rows = []
    for state in sorted(counts):
        ranked = sorted(counts[state].items(), key=lambda item: (-item[1], item[0]))
        row = {"state": state, "label": _label(network, state), **concentration(counts[state])}
        row["top_partner"] = ranked[0][0] if ranked else ""
        row["top_share"] = ranked[0][1] / row["relations"] if ranked else None
        row["partner_counts"] = ";".join(f"{p}:{n}" for p, n in ranked)
        rows.append(row)
    return sorted(rows, key=lambda r: (-(r["diversification"] or 0), r["state"]))


def _balance_row(network, state, scope, key, outgoing, incoming) -> dict:
    both = outgoing + incoming
    return {"state": state, "label": _label(network, state), "scope": scope, "key": key,
            "outgoing": outgoing, "incoming": incoming, "balance": outgoing - incoming,
            "benefactor_share": outgoing / both if both else None}


def benefactor_balance(network, relations: list[SoftPowerRelation] | None = None) -> list[dict]:
    """For each state or bloc: soft-power relations given (outgoing) and received (incoming),
    overall, by channel and by year where dated."""
    tallies: dict[tuple, Counter] = defaultdict(Counter)
    for relation in _relations(network, relations):
        scopes = [("overall", "")]
        scopes += [("channel", c) for c in sorted(relation.channels or {UNSPECIFIED})]
        if relation.year is not None:
            scopes.append(("year", str(relation.year)))
        for scope in scopes:
            tallies[(relation.provider, *scope)]["outgoing"] += 1
            tallies[(relation.receiver, *scope)]["incoming"] += 1
    order = {"overall": 0, "channel": 1, "year": 2}
    return [_balance_row(network, state, scope, key, t["outgoing"], t["incoming"])
            for (state, scope, key), t in sorted(tallies.items(),
                                                  key=lambda i: (i[0][0], order[i[0][1]], i[0][2]))]


def actor_network(network):
    """The undirected simple view without places (cities, regions): who links whom."""
    view = simple_graph(network)
    view.remove_nodes_from([n for n, d in network.nodes(data=True) if d.get("kind") in PLACE_KINDS])
    return view


def structural_holes(view) -> tuple[dict[str, float], dict[str, float]]:
    """Burt's constraint and effective size of every node of an undirected simple graph,
    unweighted, as networkx's ``constraint`` and ``effective_size`` define them (tested),
    NaN for an isolated node.

    networkx computes both for all nodes through a dense n x n matrix: on the 26,000 actors
    of a 1M-triple graph, 23 s and 10.8 GB. Here constraint comes from igraph and effective
    size from Borgatti's formula for undirected unweighted graphs, n - 2t/n for n neighbours
    with t ties among them: half a second, and memory in proportion to the edges.
    """
    import networkx as nx

    nodes, graph = _igraph_of(view)
    constraint = dict(zip(nodes, graph.constraint()))
    ties = nx.triangles(view)
    effective = {node: len(view[node]) - 2 * ties[node] / len(view[node]) if len(view[node]) else math.nan
                 for node in nodes}
    return constraint, effective


def brokerage(network, exact_max_nodes: int = BETWEENNESS_EXACT_MAX_NODES) -> list[dict]:
    """Entities whose neighbours lie in more than one community of the actor network, ranked
    by betweenness, with the communities and external spheres they bridge and Burt's
    constraint and effective size."""
    geo = _Geography(network)
    actors = actor_network(network)
    between, method = betweenness(actors, exact_max_nodes)
    community = communities(actors)
    constraint, effective = structural_holes(actors)
    rows = []
    for node in sorted(actors):
        neighbours = list(actors.neighbors(node))
        bridged = sorted({community[n] for n in neighbours} - {community[node]})
        if not bridged:
            continue
        spheres = sorted({s for n in neighbours for s in geo.sphere(n) if geo.external(s)})
        rows.append({"id": node, "label": _label(network, node),
                     "class": network.nodes[node].get("class", ""),
                     "betweenness": between[node], "community": community[node],
                     "communities_bridged": len(bridged) + 1,
                     "bridges": ";".join(str(c) for c in [community[node], *bridged]),
                     "spheres_bridged": len(spheres), "spheres": ";".join(spheres),
                     "constraint": constraint[node], "effective_size": effective[node],
                     "betweenness_method": method})
    return sorted(rows, key=lambda r: (-r["betweenness"], r["id"]))


#: The indicators computed from the soft-power relations (brokerage: from the actor network).
ON_RELATIONS = ("channel-portfolio", "multivector", "benefactor-balance")

INDICATOR_FUNCTIONS = {
    "channel-portfolio": channel_portfolio,
    "multivector": multivector_index,
    "benefactor-balance": benefactor_balance,
    "brokerage": brokerage,
}


def indicators(network, names: Iterable[str] | None = None,
               relations: list[SoftPowerRelation] | None = None) -> dict[str, list[dict]]:
    """The chosen indicators (all by default), each as its rows; the soft-power relations
    they stand on are found once for all of them (``relations`` when the caller has them)."""
    names = list(names or INDICATORS)
    unknown = [n for n in names if n not in INDICATOR_FUNCTIONS]
    if unknown:
        raise ValueError(f"unknown indicator(s) {', '.join(unknown)}; expected: {', '.join(INDICATORS)}")
    if relations is None and set(names) & set(ON_RELATIONS):
        relations = soft_power_relations(network)
    return {name: INDICATOR_FUNCTIONS[name](network, relations) if name in ON_RELATIONS
            else INDICATOR_FUNCTIONS[name](network) for name in names}


#: The entity column and the columns that describe rather than measure, per indicator.
_ENTITY_COLUMNS = {"channel-portfolio": "actor", "multivector": "state",
                   "benefactor-balance": "state", "brokerage": "id"}
_DESCRIPTIVE = {"label", "class", "scope", "key", "betweenness_method", "closeness_method"}

LONG_COLUMNS = ("indicator", "entity", "label", "measure", "scope", "key", "value")


def long_rows(results: dict[str, list[dict]]) -> list[dict]:
    """The indicators in one tidy table: one row per (indicator, entity, measure, scope, key)."""
    rows = []
    for name, table in results.items():
        entity_column = _ENTITY_COLUMNS[name]
        for row in table:
            scope, key = row.get("scope", "overall" if name != "channel-portfolio" else ""), row.get("key", "")
            for column, value in row.items():
                if column == entity_column or column in _DESCRIPTIVE:
                    continue
                if column == "partner_counts":  # "china:5;russia:3" -> one row per partner
                    for part in filter(None, str(value).split(";")):
                        partner, count = part.rsplit(":", 1)
                        rows.append({"indicator": name, "entity": row[entity_column],
                                     "label": row.get("label", ""), "measure": "relations",
                                     "scope": "partner", "key": partner, "value": int(count)})
                    continue
                measure, row_scope, row_key = column, scope, key
                if name == "channel-portfolio" and column not in ("instruments", "channels"):
                    measure, row_scope, row_key = "instruments", "channel", column
                elif name == "channel-portfolio":
                    row_scope = "overall"
                rows.append({"indicator": name, "entity": row[entity_column],
                             "label": row.get("label", ""), "measure": measure,
                             "scope": row_scope, "key": row_key, "value": value})
    return rows


# --- output ----------------------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) >= 1e6 else f"{round(value, 6):.6f}".rstrip("0").rstrip(".") or "0"
    return str(value)


def rows_as_csv(rows: list[dict], columns: Iterable[str] | None = None) -> str:
    """Rows as CSV text (RFC 4180, "\\n" line ends), floats to 6 decimals, None as empty."""
    columns = list(columns or (rows[0].keys() if rows else []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def rows_as_table(rows: list[dict], columns: Iterable[str] | None = None) -> str:
    """Rows as an aligned text table for the terminal."""
    columns = list(columns or (rows[0].keys() if rows else []))
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def rows_as_json(data) -> str:
    """Rows (or a mapping of them) as JSON; NaN and infinities become null."""
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return json.dumps(clean(data), indent=2, ensure_ascii=False)


CENTRALITY_FILE = "centrality.csv"
INDICATORS_FILE = "indicators.csv"


@dataclass
class NetworkMeasures:
    """Every centrality of every entity, every indicator and the soft-power relations they
    stand on, computed once for all the outputs that show them (the CSV files, the site's
    briefs and charts, the measures kept with an on-disk store)."""

    centralities: list[dict]
    indicators: dict[str, list[dict]]
    relations: list[SoftPowerRelation] | None = None


def measure(network) -> NetworkMeasures:
    """All centralities and all indicators of the entity network."""
    relations = soft_power_relations(network)
    return NetworkMeasures(centralities(network), indicators(network, relations=relations), relations)


def write_centrality_csv(network, path: Path, rows: list[dict] | None = None) -> Path:
    """Every centrality of every entity, one row per entity, sorted by id (``rows`` when the
    caller has computed them already)."""
    rows = centralities(network) if rows is None else rows
    columns = ["id", "label", "class", *METRICS, "betweenness_method", "closeness_method"]
    return write_atomic(Path(path), rows_as_csv(rows, columns))


def write_indicators_csv(network, path: Path, names: Iterable[str] | None = None,
                         results: dict[str, list[dict]] | None = None) -> Path:
    """All soft-power indicators in one tidy CSV (``LONG_COLUMNS``)."""
    results = indicators(network, names) if results is None else results
    return write_atomic(Path(path), rows_as_csv(long_rows(results), LONG_COLUMNS))


def write_network_outputs(network, out_dir: Path, measures: NetworkMeasures | None = None) -> list[Path]:
    """Write ``centrality.csv`` and ``indicators.csv`` of the entity network into
    ``out_dir``: what ``kgraph build`` adds to its outputs."""
    out_dir = Path(out_dir)
    measures = measures or measure(network)
    return [write_centrality_csv(network, out_dir / CENTRALITY_FILE, measures.centralities),
            write_indicators_csv(network, out_dir / INDICATORS_FILE, results=measures.indicators)]
