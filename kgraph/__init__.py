"""kgraph: the soft-power knowledge graph.

The public API, usable from Python and notebooks as well as through the ``kgraph``
command line::

    from kgraph import load_graph, serialize
    from kgraph.validate import validate
    kg = load_graph()                 # the bundled data, compiled to an rdflib graph
    report = validate(kg)             # SHACL, in human terms
    turtle = serialize(kg.graph)      # deterministic Turtle

``validate`` is imported from its module: a package attribute of that name would be replaced
by the submodule ``kgraph.validate`` as soon as anything imports it.
"""

__version__ = "0.1.0"

__all__ = ["load_graph", "serialize", "graph_stats"]


def __getattr__(name):
    """Import the stages lazily, so that ``import kgraph`` and ``kgraph --help`` stay fast."""
    if name == "load_graph":
        from .build import load_graph
        return load_graph
    if name == "serialize":
        from .export import serialize
        return serialize
    if name == "graph_stats":
        from .stats import graph_stats
        return graph_stats
    raise AttributeError(name)
