"""Export of the entity network for network tools: GraphML and GEXF, byte-identical for the same data.

Gephi, Cytoscape and networkx read both; igraph reads GraphML (its GEXF reader does not
exist). Nodes are written in sorted order of id and edges in sorted order of (source,
target, key), and the date GEXF stamps in its header is left out, so that two builds of the
same data give the same file.

GEXF (1.3) opens in Gephi as the page draws it (``kgraph.viz``): nodes in their class's
colour, sized by PageRank, at the positions of the page's layout for large graphs
(:func:`kgraph.viz.ring_layout`, deterministic), edges in their relation's colour; and with
a timeline: the graph is dynamic, a node starts in the year its entity came about (opened,
launched, founded, or its year; an event also ends then) and an edge in the year of its
fact, so Gephi's timeline shows the network grow. Undated nodes and edges are there
throughout. In GraphML the entity id is the attribute ``identifier``: ``id`` is igraph's
own name for a vertex's GraphML id. ``kgraph export --format`` offers these formats beside
the RDF ones (``kgraph.choices.EXPORT_FORMATS``).
"""

from __future__ import annotations

import math
from pathlib import Path

from rdflib import Graph

from .choices import NETWORK_FORMATS
from .files import write_atomic
from .network import SUBJECT_YEAR_ATTRIBUTES


def sorted_network(network):
    """A copy of the network whose nodes and edges were inserted in sorted order."""
    import networkx as nx

    ordered = nx.MultiDiGraph()
    ordered.graph.update({k: v for k, v in sorted(network.graph.items())
                          if isinstance(v, (str, int, float, bool))})
    for node in sorted(network):
        ordered.add_node(node, **dict(sorted(network.nodes[node].items())))
    for u, v, key, data in sorted(network.edges(keys=True, data=True), key=lambda e: e[:3]):
        ordered.add_edge(u, v, key=key, **dict(sorted(data.items())))
    return ordered


def serialize_network(network, fmt: str = "graphml") -> bytes:
    """The network in one of ``NETWORK_FORMATS``, as UTF-8 bytes, the same for the same network."""
    import networkx as nx

    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format '{fmt}'; expected one of: {', '.join(NETWORK_FORMATS)}")
    ordered = sorted_network(network)
    if fmt == "graphml":
        for _, data in ordered.nodes(data=True):
            if "id" in data:
                data["identifier"] = data.pop("id")
        return ("\n".join(nx.generate_graphml(ordered, encoding="utf-8", prettyprint=True)) + "\n").encode("utf-8")
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version=GEXF_VERSION)
    writer.xml.set("xmlns:xsi", XSI)  # networkx 3.6 writes the namespace without "www."
    meta = writer.xml.find("meta")
    if meta is not None:  # today's date would make every build differ
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(with_gephi_attributes(ordered))
    if writer.graph_element.get("timeformat") == "long":  # networkx's name; GEXF says integer
        writer.graph_element.set("timeformat", "integer")
    return ("\n".join(writer.__str__().splitlines()) + "\n").encode("utf-8")


#: The GEXF version written (Gephi 0.9 and later read it).
GEXF_VERSION = "1.3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def with_gephi_attributes(network):
    """The network with GEXF's drawing and time attributes: ``viz`` (colour, size by
    PageRank, position) and ``start``/``end`` years on nodes, ``viz`` colour and ``start`` on
    edges; ``mode`` dynamic when anything is dated."""
    from .indicators import centralities
    from .viz import MAX_SIZE, MIN_SIZE, ring_layout

    ranks = {row["id"]: row["pagerank"] for row in centralities(network, ["pagerank"])}
    low, high = min(ranks.values(), default=0.0), max(ranks.values(), default=0.0)
    positions = ring_layout(network) if network.number_of_nodes() else {}
    dated = False
    for node, data in network.nodes(data=True):
        share = (ranks[node] - low) / (high - low) if high > low else 0.5
        x, y = positions[node]
        data["viz"] = {"color": _rgba(_node_colour(data)),
                       "size": round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(share), 2),
                       "position": {"x": float(x), "y": float(-y), "z": 0.0}}
        start = next((data[k] for k in SUBJECT_YEAR_ATTRIBUTES if _is_year(data.get(k))), None)
        if start is not None:
            data["start"] = start
            if data.get("kind") == "events":
                data["end"] = start
            dated = True
    for _, _, data in network.edges(data=True):
        data["viz"] = {"color": _rgba(_edge_colour(data))}
        if _is_year(data.get("year")):
            data["start"] = data["year"]
            dated = True
    if dated:
        network.graph["mode"] = "dynamic"
    return network


def _is_year(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _node_colour(data: dict) -> str:
    """The page's colour of the node's class (Central Asian states apart from the others)."""
    from .viz import NODE_STYLES, OTHER_NODE_STYLE

    kind = data.get("kind")
    if kind == "states" and data.get("central_asian") is True:
        kind = "central_asian_states"
    return NODE_STYLES.get(kind, OTHER_NODE_STYLE)[0]


def _edge_colour(data: dict) -> str:
    from .viz import EDGE_GROUPS, OTHER_EDGE_STYLE

    return EDGE_GROUPS.get(str(data.get("relation", "")), OTHER_EDGE_STYLE)[1]


def _rgba(colour: str) -> dict:
    """A ``#rrggbb`` colour as GEXF's viz:color components."""
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16), "a": 1.0}


def serialize_any(source, fmt: str) -> bytes:
    """A compiled graph or a store (``kgraph.store``) in any export format: RDF
    (``kgraph.export.RDF_FORMATS``) as is, GraphML or GEXF through the entity network."""
    from .export import serialize
    from .store import rdf_graph_of

    if fmt in NETWORK_FORMATS:
        from .network import project

        return serialize_network(project(source), fmt)
    return serialize(rdf_graph_of(source) if not isinstance(source, Graph) else source, fmt)


def write_export(source, fmt: str, output: Path | None, stream) -> None:
    """Write ``serialize_any`` to a file (atomically) or to a binary stream. An on-disk store
    writes RDF itself, streamed by Oxigraph in its own order, never whole in Python's memory."""
    if fmt not in NETWORK_FORMATS and hasattr(source, "dump"):
        source.dump(output or stream, fmt)
    elif output:
        write_atomic(output, serialize_any(source, fmt))
    else:
        stream.write(serialize_any(source, fmt))
