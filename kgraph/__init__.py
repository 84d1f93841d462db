"""kgraph: the soft-power knowledge graph.

The public API, usable from Python and notebooks as well as through the ``kgraph``
command line::

    from kgraph import load_graph, validate, serialize
    kg = load_graph()                 # the bundled data, compiled to an rdflib graph
    report = validate(kg)             # SHACL, in human terms
    turtle = serialize(kg.graph)      # deterministic Turtle
"""

__version__ = "0.1.0"

__all__ = ["load_graph", "validate", "serialize", "graph_stats"]


def __getattr__(name):
    """Import the stages lazily, so that ``import kgraph`` and ``kgraph --help`` stay fast."""
    if name == "load_graph":
        from .build import load_graph
        return load_graph
    if name == "validate":
        from .validate import validate
        return validate
    if name == "serialize":
        from .export import serialize
        return serialize
    if name == "graph_stats":
        from .stats import graph_stats
        return graph_stats
    raise AttributeError(name)
