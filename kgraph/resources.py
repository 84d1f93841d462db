"""Where the bundled ontology, vocabularies, data and queries live, installed or in a checkout.

A wheel carries them inside the package (``kgraph/bundled/``); a source checkout keeps them
at the top level, beside the package, where researchers edit them.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_path(name: str) -> Path:
    """Path of a bundled folder: ``ontology``, ``data`` or ``queries``."""
    installed = _PACKAGE / "bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def ontology_file() -> Path:
    """The OWL ontology (classes and properties), in Turtle."""
    return bundled_path("ontology") / "softpower.ttl"


def vocabulary_file() -> Path:
    """The controlled vocabularies (SKOS concept schemes), in Turtle."""
    return bundled_path("ontology") / "vocabularies.ttl"


def shapes_file() -> Path:
    return bundled_path("ontology") / "shapes.ttl"


def owl_file() -> Path:
    """The ontology in RDF/XML, for tools that read no Turtle (owlready2, older OWL tools);
    generated from ``softpower.ttl`` (``kgraph.publish``)."""
    return bundled_path("ontology") / "softpower.owl"


def context_file() -> Path:
    """The JSON-LD context of the compacted JSON-LD export; generated (``kgraph.publish``)."""
    return bundled_path("ontology") / "context.jsonld"
