"""Export of the entity network for network tools: GraphML and GEXF, byte-identical for the same data.

Gephi, Cytoscape, igraph and networkx itself read both. Nodes are written in sorted order of
id and edges in sorted order of (source, target, key), and the date GEXF stamps in its
header is left out, so that two builds of the same data give the same file.
``NETWORK_FORMATS`` has the same shape as ``kgraph.export.RDF_FORMATS``: folding these
formats into ``kgraph export --format`` is one line there.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .files import write_atomic

#: Format name on the command line -> (serialiser name, file suffix).
NETWORK_FORMATS = {
    "graphml": ("graphml", "graphml"),
    "gexf": ("gexf", "gexf"),
}


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
        return ("\n".join(nx.generate_graphml(ordered, encoding="utf-8", prettyprint=True)) + "\n").encode("utf-8")
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    meta = writer.xml.find("meta")
    if meta is not None:  # today's date would make every build differ
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(ordered)
    return ("\n".join(writer.__str__().splitlines()) + "\n").encode("utf-8")


def write_network(network, path: Path, fmt: str | None = None) -> Path:
    """Write the network to ``path``, in the format its suffix names unless ``fmt`` is given."""
    path = Path(path)
    fmt = fmt or next((name for name, (_, suffix) in NETWORK_FORMATS.items()
                       if path.suffix == f".{suffix}"), "graphml")
    return write_atomic(path, serialize_network(network, fmt))


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


def export_formats() -> dict[str, tuple[str, str]]:
    """Every format ``serialize_any`` writes: name -> (serialiser, file suffix)."""
    from .export import RDF_FORMATS

    return {**RDF_FORMATS, **NETWORK_FORMATS}
