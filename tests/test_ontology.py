"""The ontology declares every term the data uses, documents it, and is consistent under HermiT."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from kgraph.namespaces import SP, SPV
from kgraph.resources import ontology_file, shapes_file
from kgraph.schema import KINDS, VOCABULARIES


@pytest.fixture(scope="module")
def ontology():
    return Graph().parse(ontology_file())


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(shapes_file())


def schema_terms() -> set[URIRef]:
    terms = set()
    for kind in KINDS.values():
        terms.add(kind.rdf_class)
        terms.update(kind.subtypes.values())
        terms.update(f.predicate for f in kind.fields)
        terms.update(t.predicate for t in kind.truthy)
    terms.update(VOCABULARIES.values())
    return {t for t in terms if str(t).startswith(str(SP))}


def test_ontology_metadata(ontology):
    header = URIRef("https://w3id.org/softpower/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator,
                      OWL.versionInfo):
        assert ontology.value(header, predicate) is not None, predicate


def test_every_schema_term_is_declared_and_documented(ontology):
    missing = []
    for term in sorted(schema_terms()):
        declared = set(ontology.objects(term, RDF.type)) & {
            OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
        labels = [l for l in ontology.objects(term, RDFS.label) if getattr(l, "language", None) == "en"]
        definitions = list(ontology.objects(term, SKOS.definition))
        if not (declared and labels and definitions):
            missing.append(str(term))
    assert missing == []


def test_every_sp_term_has_an_english_label_and_definition(ontology):
    undocumented = [
        str(s) for s in set(ontology.subjects(RDF.type, OWL.Class)) | set(ontology.subjects(RDF.type, OWL.ObjectProperty))
        | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
        if str(s).startswith(str(SP)) and not (
            Literal in {type(l) for l in ontology.objects(s, RDFS.label)}
            and any(True for _ in ontology.objects(s, SKOS.definition)))]
    assert undocumented == []


def test_influence_channels_are_a_skos_scheme_with_hierarchy(ontology):
    scheme = SPV["influence-channels"]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    channels = set(ontology.subjects(SKOS.inScheme, scheme))
    assert {SPV.language, SPV.scholarships, SPV["branch-campuses"], SPV["cultural-centres"],
            SPV["expert-forums"], SPV["heritage-cooperation"], SPV["media-entertainment"],
            SPV["development-assistance"], SPV["digital-technology-education"],
            SPV["university-partnerships"]} <= channels
    assert (SPV.scholarships, SKOS.broader, SPV["educational-cooperation"]) in ontology


def test_standard_vocabularies_are_reused(ontology):
    assert (SP.BranchCampus, RDFS.subClassOf, SP.University) in ontology
    assert (SP.parentInstitution, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#subOrganizationOf")) in ontology
    assert (SP.Membership, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Membership")) in ontology
    assert (SP.Source, RDFS.subClassOf, DCTERMS.BibliographicResource) in ontology


def test_every_data_class_has_a_shape(ontology, shapes, bundled_kg):
    targeted = set(shapes.objects(None, SH.targetClass))
    superclasses = {}
    for cls in set(bundled_kg.graph.objects(None, RDF.type)):
        if str(cls).startswith(str(SP)):
            chain = set(ontology.transitive_objects(cls, RDFS.subClassOf))
            superclasses[cls] = chain
    unshaped = [str(c) for c, chain in superclasses.items() if not chain & targeted]
    assert unshaped == []


def test_ontology_is_consistent_under_hermit(ontology, tmp_path):
    owlready2 = pytest.importorskip("owlready2")
    path = tmp_path / "softpower.owl"
    ontology.serialize(path, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
