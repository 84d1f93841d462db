"""The JSON-LD context of the compacted export, derived from the ontology and the data format.

A web developer reads ``{"@id": "spr:kazakhstan", "@type": "State", "label": {"en":
"Kazakhstan", "ru": "Казахстан"}, "isCentralAsian": true}``: the ontology's terms by their
local names (``@vocab``), references as plain IRI strings (every object property is coerced
to ``@id``), labels and definitions as language maps, decimals and dates typed. The context
is written to ``ontology/context.jsonld`` and shipped; the export inlines it, so no consumer
has to fetch it.
"""

from __future__ import annotations

import json

from rdflib import Graph, URIRef

from ..namespaces import DCTERMS, OWL, PREFIXES, RDF, RDFS, SDO, SKOS, SP, XSD
from ..schema import DATE, DECIMAL, KINDS, REF

#: Predicates whose values are texts in several languages: written as language maps.
LANGUAGE_MAPS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition)
#: Typed values that JSON has no type for, by the data format's value type.
TYPED = {DECIMAL: XSD.decimal, DATE: XSD.date}
#: Predicates the builder writes beside the data format's fields.
BUILDER_PREDICATES = {DCTERMS.identifier: None, SDO.value: XSD.decimal, SDO.currency: None,
                      DCTERMS.source: "@id"}
#: Names a term never gets: they read as the keywords ``@type`` and ``@id``.
RESERVED_NAMES = {"type", "id"}


def json_ld_context(ontology: Graph) -> dict:
    """The context: prefixes, ``@vocab`` for the ontology's terms, and a term for every
    predicate that needs more than its name (a coercion or a language map), named by its
    local name where no other term has that name, the ontology's own terms first."""
    coercions = _coercions(ontology)
    names = _term_names(set(coercions) | set(LANGUAGE_MAPS) | _data_predicates())
    context: dict = {}
    context.update({prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())})
    context["@vocab"] = str(SP)
    for predicate, name in sorted(names.items(), key=lambda item: item[1]):
        definition: dict = {"@id": _compact(predicate)}
        if predicate in LANGUAGE_MAPS:
            definition["@container"] = "@language"
        elif coercions.get(predicate):
            definition["@type"] = coercions[predicate]
        if list(definition) == ["@id"] and (str(predicate) == str(SP) + name or name == definition["@id"]):
            continue  # @vocab or a prefix names it already
        context[name] = definition["@id"] if list(definition) == ["@id"] else definition
    return {"@context": context}


def context_text(ontology: Graph) -> str:
    """The context file's text, the same bytes for the same ontology."""
    return json.dumps(json_ld_context(ontology), ensure_ascii=False, indent=1) + "\n"


def _coercions(ontology: Graph) -> dict[URIRef, str | None]:
    """Predicate -> the type its values are coerced to: ``@id`` for references (the data
    format's and the ontology's object properties, which win: ``amount`` is a decimal in
    YAML and a node in RDF), an XSD datatype for decimals and dates."""
    coercions: dict[URIRef, str | None] = {}
    for predicate, datatype in BUILDER_PREDICATES.items():
        coercions[predicate] = datatype if datatype is None or datatype == "@id" else _compact(datatype)
    for kind in KINDS.values():
        for fld in kind.fields:
            if fld.type == REF:
                coercions[fld.predicate] = "@id"
            elif fld.type in TYPED:
                coercions[fld.predicate] = _compact(TYPED[fld.type])
        for truthy in kind.truthy:
            coercions[truthy.predicate] = "@id"
    coercions.update((p, "@id") for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
                     if isinstance(p, URIRef))
    return coercions


def _data_predicates() -> set[URIRef]:
    return {fld.predicate for kind in KINDS.values() for fld in kind.fields}


def _term_names(predicates: set[URIRef]) -> dict[URIRef, str]:
    """A term name per predicate: its local name, unless an ontology term (or an earlier
    predicate in IRI order) has it; then its prefixed name."""
    taken = RESERVED_NAMES | {str(p)[len(str(SP)):] for p in predicates if str(p).startswith(str(SP))}
    names = {}
    for predicate in sorted(predicates, key=lambda p: (not str(p).startswith(str(SP)), str(p))):
        local = _local(predicate)
        if str(predicate).startswith(str(SP)):
            names[predicate] = local
        elif local not in taken and local.isidentifier():
            names[predicate] = local
            taken.add(local)
        else:
            names[predicate] = _compact(predicate)
    return names


def _local(iri) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def _compact(iri) -> str:
    """The IRI as a prefixed name of the project prefixes (the longest namespace wins)."""
    text = str(iri)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if text.startswith(str(namespace)) and prefix:
            return f"{prefix}:{text[len(str(namespace)):]}"
    return text
