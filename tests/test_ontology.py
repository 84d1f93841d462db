"""The ontology declares every term the data uses and documents it in three languages; the
OWL API finds it in the OWL 2 DL profile, HermiT finds it consistent, and documentation
generators see one ontology."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DC, DCTERMS, OWL, RDF, RDFS, SH, SKOS

from kgraph.build import load_ontology
from kgraph.choices import EPISTEMIC_STATUSES, SOURCE_TYPES
from kgraph.namespaces import SP, SPV
from kgraph.resources import ontology_file, owl_file, shapes_file, vocabulary_file
from kgraph.schema import KINDS, VOCABULARIES

#: The OWL API as Debian packages it (libowlapi-java); .ci/run installs it.
OWLAPI_JAR = Path("/usr/share/java/owlapi-distribution.jar")
PROFILE_CHECK = Path(__file__).parent / "owl" / "ProfileCheck.java"


@pytest.fixture(scope="module")
def ontology():
    """The ontology with its vocabularies, as the graph holds them."""
    return load_ontology()


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
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DC.creator,
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


def test_every_term_and_concept_has_one_label_in_english_kazakh_and_russian(ontology):
    """Classes and properties (rdfs:label) and the vocabularies' schemes and concepts
    (skos:prefLabel) each have exactly one label in en, kk and ru; the header says who wrote
    them and that native review is pending."""
    terms = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in ontology.subjects(RDF.type, kind) if str(s).startswith(str(SP))}
    concepts = {s for kind in (SKOS.Concept, SKOS.ConceptScheme) for s in ontology.subjects(RDF.type, kind)
                if str(s).startswith(str(SPV))}
    assert len(terms) > 150 and len(concepts) > 40
    wrong = {}
    for term, predicate in [(t, RDFS.label) for t in terms] + [(c, SKOS.prefLabel) for c in concepts]:
        languages = sorted(label.language for label in ontology.objects(term, predicate))
        if languages != ["en", "kk", "ru"]:
            wrong[str(term)] = languages
    assert wrong == {}
    assert {str(label) for label in ontology.objects(SP.InfluenceChannel, SKOS.altLabel)} >= {"institutional channel"}
    for path in (ontology_file(), vocabulary_file()):
        header = " ".join(path.read_text(encoding="utf-8").split("@prefix")[0].replace("#", " ").split())
        assert "No native speaker has reviewed them yet" in header and "language model" in header


def test_vocabulary_concepts_are_skos_concepts_in_their_own_file(ontology):
    in_ontology_file = Graph().parse(ontology_file())
    assert not set(in_ontology_file.subjects(RDF.type, SKOS.ConceptScheme))
    vocabularies = Graph().parse(vocabulary_file())
    for kind, rdf_class in VOCABULARIES.items():
        members = set(vocabularies.subjects(RDF.type, rdf_class))
        assert members and members <= set(vocabularies.subjects(RDF.type, SKOS.Concept)), kind


def test_the_statuses_and_source_types_the_options_offer_are_the_ontology_s(ontology, shapes):
    """--status offers the concepts of the epistemic statuses' scheme; ingest --type the
    source types the shapes accept, but for the one of general references."""
    scheme = SPV["epistemic-statuses"]
    assert {f"{SPV}{status}" for status in EPISTEMIC_STATUSES} == {
        str(c) for c in ontology.objects(scheme, SKOS.hasTopConcept)}
    typed = next(node for node in shapes.subjects(SH.path, DCTERMS.type)
                 if (None, SH.property, node) in shapes and shapes.value(node, SH["in"]))
    accepted = [str(value) for value in Collection(shapes, shapes.value(typed, SH["in"]))]
    assert accepted == [*SOURCE_TYPES, "reference"]


def test_the_shipped_rdf_xml_is_the_turtle_ontology():
    from kgraph.publish import owl_bytes

    assert owl_file().read_bytes() == owl_bytes(), (
        "ontology/softpower.owl is out of date: regenerate it with `kgraph docs --no-page -o ontology`")
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(owl_file(), format="xml"), Graph().parse(ontology_file()))


def _owl_api_classpath() -> str:
    if not OWLAPI_JAR.is_file() or not shutil.which("java"):
        if os.environ.get("CI"):
            pytest.fail("the OWL API (Debian libowlapi-java) and Java are needed: .ci/run installs them")
        pytest.skip("the OWL API (apt-get install libowlapi-java) or Java is missing")
    return str(OWLAPI_JAR.parent / "*")


def test_ontology_vocabularies_and_data_are_in_the_owl_2_dl_profile(bundled_kg, tmp_path):
    """The OWL API (the library Protégé uses) checks the OWL 2 DL profile: of the ontology
    alone, of the ontology with its vocabularies, and of the whole exported graph."""
    from kgraph.export import serialize

    classpath = _owl_api_classpath()
    model, everything = tmp_path / "model.nt", tmp_path / "graph.nt"
    model.write_bytes(serialize(load_ontology(), "nt"))
    everything.write_bytes(serialize(bundled_kg.graph, "nt"))
    done = subprocess.run(["java", "-cp", classpath, str(PROFILE_CHECK), str(ontology_file()),
                           str(model), str(everything)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    summaries = [line.split() for line in done.stdout.splitlines() if line.startswith("VIOLATIONS ")]
    assert len(summaries) == 3, done.stdout[-2000:]
    violations = [line for line in done.stdout.splitlines() if not line.startswith("VIOLATIONS ")]
    assert violations == []
    axioms = [int(summary[3]) for summary in summaries]
    assert axioms[0] > 700 and axioms[1] > axioms[0] and axioms[2] > 5 * axioms[1]


def test_the_owl_api_sees_a_dl_violation(tmp_path):
    """The check is real: the header's creator as a literal of the object property
    dcterms:creator, as the ontology had it, is reported."""
    classpath = _owl_api_classpath()
    broken = tmp_path / "broken.ttl"
    broken.write_text(ontology_file().read_text(encoding="utf-8").replace(
        'dc:creator "The kgraph project"', 'dcterms:creator "The kgraph project"'), encoding="utf-8")
    done = subprocess.run(["java", "-cp", classpath, str(PROFILE_CHECK), str(broken)],
                          capture_output=True, text=True, timeout=300)
    assert "Cannot pun between properties: <http://purl.org/dc/terms/creator>" in done.stdout


def test_ontology_and_data_are_consistent_under_hermit(bundled_kg, tmp_path):
    """owlready2 reads the shipped RDF/XML, with the vocabularies and the data (N-Triples),
    and its HermiT finds the whole consistent, no class unsatisfiable."""
    owlready2 = pytest.importorskip("owlready2")
    from kgraph.export import serialize

    world = owlready2.World()
    world.get_ontology(owl_file().as_uri()).load()
    data = tmp_path / "graph.nt"
    data.write_bytes(serialize(bundled_kg.graph, "nt"))
    onto = world.get_ontology(data.as_uri()).load(format="ntriples")
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
    assert len(list(world.get_ontology("https://w3id.org/softpower/ontology#").classes())) > 60


def test_standard_superclasses_are_materialised_for_consumers_without_a_reasoner(bundled_kg):
    """Every record typed with an ontology class also carries the standard classes it implies,
    so a plain SPARQL client finds states as schema:Country, concepts as skos:Concept, ..."""
    from rdflib.namespace import ORG, PROV, SDO

    graph = bundled_kg.graph
    states = set(graph.subjects(RDF.type, SP.State))
    assert states and states <= set(graph.subjects(RDF.type, SDO.Country))
    assert set(graph.subjects(RDF.type, SP.BranchCampus)) <= set(graph.subjects(RDF.type, ORG.Organization))
    assert set(graph.subjects(RDF.type, SP.AnalyticalConcept)) <= set(graph.subjects(RDF.type, SKOS.Concept))
    assert set(graph.subjects(RDF.type, SP.Quotation)) <= set(graph.subjects(RDF.type, PROV.Entity))
    for node in states:  # exactly what the ontology implies, nothing more
        implied = {c for c in load_ontology().transitive_objects(SP.State, RDFS.subClassOf)
                   if not str(c).startswith(str(SP))}
        assert {t for t in graph.objects(node, RDF.type) if not str(t).startswith(str(SP))} == implied


def test_kgraph_docs_writes_an_offline_documentation_page(tmp_path, browser):
    """pyLODE's page, titled with the ontology's title (not a concept scheme's), opened in
    headless Chromium: it lists the classes, makes no request and logs no error."""
    pytest.importorskip("pylode")
    from conftest import run

    result = run("docs", "-o", tmp_path / "site")
    assert result.exit_code == 0, result.output
    written = {p.name for p in (tmp_path / "site").iterdir()}
    assert written == {"index.html", "softpower.ttl", "softpower.owl", "vocabularies.ttl", "context.jsonld"}
    page = tmp_path / "site" / "index.html"
    requests, errors = [], []
    tab = browser.new_page()
    try:
        tab.on("request", lambda request: requests.append(request.url))
        tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(page.as_uri())
        title = tab.title()
        text = tab.inner_text("body")
    finally:
        tab.close()
    assert title == "Soft-power ontology"
    assert "Geopolitical effects" not in title
    assert [url for url in requests if url != page.as_uri() and not url.startswith("data:")] == []
    assert errors == []
    for label in ("branch campus", "influence channel", "host state", "epistemic status"):
        assert label in text
