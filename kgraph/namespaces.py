"""The IRIs kgraph mints and reuses, defined once for every stage."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

#: The ontology: classes and properties of soft-power relations.
SP = Namespace("https://w3id.org/softpower/ontology#")
#: The controlled vocabularies (influence channels, audiences, effects, ...).
SPV = Namespace("https://w3id.org/softpower/vocab/")
#: The curated entities, relations and observations.
SPR = Namespace("https://w3id.org/softpower/id/")
#: Wikidata's items, which entities are the same as (``owl:sameAs``).
WD = Namespace("http://www.wikidata.org/entity/")

#: The named graphs of a TriG export: the data (the graph a remote store keeps the whole
#: graph in, ``kgraph.store``), the ontology, and the controlled vocabularies.
DATA_GRAPH = "https://w3id.org/softpower/graph"
ONTOLOGY_GRAPH = "https://w3id.org/softpower/ontology"
VOCABULARY_GRAPH = "https://w3id.org/softpower/vocab"

PREFIXES = {
    "sp": SP,
    "spv": SPV,
    "spr": SPR,
    "skos": SKOS,
    "prov": PROV,
    "org": ORG,
    "schema": SDO,
    "dcterms": DCTERMS,
    "owl": OWL,
    "wd": WD,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}


def bind_prefixes(graph):
    """Bind the project prefixes so serialisations read as the ontology does."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
