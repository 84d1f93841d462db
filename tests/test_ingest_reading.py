"""kgraph ingest reads as a researcher would: facts stated across two sentences, states named
by their adjectives, the authors of a journal article and their institutions, and no fact
paired across clauses. Every text here is written for the test; every proposal it checks
must name both its ends in its quotes, as the support check of kgraph.support requires."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph.ingest.documents import Document
from kgraph.ingest.known import KnownEntity, KnownGraph
from kgraph.ingest.pipeline import Ingester, SourceDetails
from kgraph.quotes import fold
from kgraph.support import as_named, names_in

pytest.importorskip("ahocorasick")


def entity(identifier, kind, *names, iso=None, **links):
    return KnownEntity(identifier, kind, [(n, "en", False) for n in names], iso, dict(links),
                       references=["reference-geography"] if kind == "cities" else [])


GRAPH = [
    entity("kazakhstan", "states", "Kazakhstan", iso="KZ"),
    entity("china", "states", "China", iso="CN"),
    entity("turkey", "states", "Turkey", iso="TR"),
    entity("georgia", "states", "Georgia", iso="GE"),
    entity("united-kingdom", "states", "United Kingdom", iso="GB"),
    entity("astana", "cities", "Astana", state="kazakhstan"),
    entity("karaganda", "cities", "Karaganda", state="kazakhstan"),
    entity("coventry-university", "universities", "Coventry University", country="united-kingdom"),
    entity("coventry-university-kazakhstan", "branch_campuses", "Coventry University Astana",
           parent="coventry-university", host_state="kazakhstan", host_city="astana"),
    entity("acme-analytics", "companies", "Acme Analytics"),
]


def ingest(text: str):
    known = KnownGraph({e.id: e for e in GRAPH})
    return Ingester(known).ingest(Document(Path("doc.txt"), text, "text"),
                                  SourceDetails(source_id="doc"))


def proposals(ingestion, kind):
    return {p.ends: p for p in ingestion.proposals if p.kind == kind}


def names_of(ingestion, identifier):
    """The names the support check would accept for an entity of this small graph or of
    the document's new entities (its adjectives included)."""
    from kgraph.ingest.countries import adjectives

    known = next((e for e in GRAPH if e.id == identifier), None)
    if known:
        names = [n for n, _, _ in known.names] + list(adjectives().get(known.iso_code or "", ()))
    else:
        record = next(e.record for e in ingestion.entities if e.id == identifier)
        names = [record["label"]] + list((record.get("labels") or {}).values())
    return [as_named(fold(n)) for n in names]


def assert_supported(ingestion, proposal):
    """Both ends named in the proposal's quotes; every quote verbatim and short."""
    text = " | ".join(as_named(fold(q)) for q, _, _ in proposal.evidence)
    for end in proposal.ends:
        assert names_in(names_of(ingestion, end), text), (end, proposal.evidence)
    for quote, start, end in proposal.evidence:
        assert ingestion.text[start:end] == quote and len(quote.split()) <= 40


def test_a_list_continuing_the_sentence_before_is_read_with_it():
    ingestion = ingest(
        "Several foreign universities now run branch campuses in Kazakhstan, more than ever. "
        "Among them are Ghent University and the University of Strelsau.\n"
        "Belgium welcomes them. Ghent University is old.\n")
    campuses = {e.record["parent"]: e for e in ingestion.entities if e.kind == "branch_campuses"}
    assert set(campuses) == {"ghent-university", "university-of-strelsau"}
    for campus in campuses.values():
        assert campus.record["host_state"] == "kazakhstan"
        assert len(campus.quotes) == 2  # the host's sentence and the list's
    influence = proposals(ingestion, "influence_relations")
    relation = influence[("ghent-university", "kazakhstan")]
    assert "read across two sentences" in relation.cue
    assert [q for q, _, _ in relation.evidence] == [
        "Several foreign universities now run branch campuses in Kazakhstan, more than ever.",
        "Among them are Ghent University and the University of Strelsau."]
    assert_supported(ingestion, relation)
    # A sentence that does not continue the one before is never read with it.
    assert not any("belgium" in p.ends for p in ingestion.proposals)


def test_the_country_stands_for_the_state_named_before_it():
    ingestion = ingest("Turkey has opened many schools abroad. "
                       "The country hosts 2,000 students from Kazakhstan.\n")
    flow = proposals(ingestion, "student_flows")[("kazakhstan", "turkey")]
    assert flow.record["count"] == 2000
    assert "'The country' read as Turkey, named before it" in flow.cue
    assert "read across two sentences" in flow.cue
    assert_supported(ingestion, flow)
    anaphor = next(m for m in ingestion.mentions if m.status == "anaphor")
    assert (anaphor.text, anaphor.entity) == ("The country", "turkey")
    assert ingestion.text[slice(*anaphor.antecedent)] == "Turkey"


def test_a_state_named_by_its_adjective():
    ingestion = ingest(
        "Experts from Acme Analytics trained Kazakh researchers in data science.\n"
        "The Chinese Government Scholarship offers 300 places a year.\n"
        "Russian-language schools are popular in Georgia.\n")
    adjective = next(m for m in ingestion.mentions if m.text == "Kazakh")
    assert (adjective.entity, adjective.match) == ("kazakhstan", "adjective")
    reached = proposals(ingestion, "influence_relations")[("acme-analytics", "kazakhstan")]
    assert reached.record["channels"] == ["expert-forums"]
    assert_supported(ingestion, reached)
    funding = next(p for p in ingestion.proposals if p.kind == "fundings")
    assert funding.ends[0] == "china" and "a state's government" in funding.cue
    assert_supported(ingestion, funding)
    # "Russian-language" is named for the language: no party to a fact, and no reason to
    # propose the state, which this graph lacks.
    assert not any("russian-federation" in p.ends for p in ingestion.proposals)
    assert not any(e.kind == "states" for e in ingestion.entities)


def test_authors_of_a_journal_article_and_their_institutions():
    ingestion = ingest(
        "J. Serikbayev¹, M.K. Omarova²*\n\n"
        "¹Karaganda Technical University, Karaganda, Kazakhstan\n"
        "²Ghent University, Ghent, Belgium\n\n"
        "*e-mail: omarova@example.org\n\n"
        "STUDENT MOBILITY IN EURASIA\n\n"
        "Ж. Серикбаев¹, М.К. Омарова²*\n\n"
        "¹Қарағанды техникалық университеті, Қарағанды қ., Қазақстан\n"
        "²Гент университеті, Гент қ., Бельгия\n")
    roles = proposals(ingestion, "roles")
    people = {e.record["label"]: e for e in ingestion.entities if e.kind == "people"}
    assert set(people) == {"J. Serikbayev", "M.K. Omarova"}  # the Kazakh block names them again
    assert people["J. Serikbayev"].record["labels"] == {"kk": "Ж. Серикбаев"}
    universities = {e.record["label"]: e.record for e in ingestion.entities if e.kind == "universities"}
    assert universities["Karaganda Technical University"]["country"] == "kazakhstan"
    assert universities["Karaganda Technical University"]["city"] == "karaganda"
    assert universities["Ghent University"]["country"] == "belgium"
    assert universities["Ghent University"]["labels"] == {"kk": "Гент университеті"}
    by_person = {people[label].id: universities[name]["id"] for label, name in (
        ("J. Serikbayev", "Karaganda Technical University"), ("M.K. Omarova", "Ghent University"))}
    assert {ends for ends in roles} == set(by_person.items())
    role = roles[(people["M.K. Omarova"].id, by_person[people["M.K. Omarova"].id])]
    assert role.record["role"] == "author" and "the mark 2" in role.cue
    # The names line and the institution's lines, then the Kazakh block's names line.
    assert [q for q, _, _ in role.evidence][:2] == ["J. Serikbayev¹, M.K. Omarova²*",
                                                    "Ghent University, Ghent, Belgium"]
    assert_supported(ingestion, role)


def test_a_line_of_names_without_an_institution_under_it_is_no_author_block():
    ingestion = ingest("A. Smith, B. Jones\n\nThe survey asked 103 students.\n")
    assert not any(p.kind == "roles" for p in ingestion.proposals)
    assert not any(e.kind == "people" for e in ingestion.entities)


def test_an_actor_of_one_clause_does_not_reach_a_place_of_another():
    clauses = ingest("Turkey expanded its language courses, while in Georgia new universities opened.\n")
    assert not any(p.kind == "influence_relations" for p in clauses.proposals)
    opening = ingest("While in China, Turkey and the United Kingdom language schools have grown, "
                     "in Georgia they are few.\n")
    assert not any(p.kind == "influence_relations" for p in opening.proposals)
    one_clause = ingest("Turkey expanded its language courses in Georgia.\n")
    relation = proposals(one_clause, "influence_relations")[("turkey", "georgia")]
    assert relation.record["channels"] == ["language"]


def test_partnerships_need_with_a_shared_verb_or_the_party_own():
    listed = ingest("Research grows in Kazakhstan and Georgia, where cultural partnerships matter.\n")
    assert not any(p.kind == "partnerships" for p in listed.proposals)
    signed = ingest("Kazakhstan and Georgia signed a memorandum on education in 2024.\n")
    partnership = proposals(signed, "partnerships")[("kazakhstan", "georgia")]
    assert partnership.record["year"] == 2024
    partners = ingest("Through projects with local schools and partners like Acme Analytics, "
                      "Coventry University trains teachers.\n")
    assert {frozenset(ends) for ends in proposals(partners, "partnerships")} == {
        frozenset(("coventry-university", "acme-analytics"))}


def test_a_university_money_in_a_city_goes_to_its_campus_there_and_a_city_is_no_target():
    ingestion = ingest("Coventry University invested US$50 million in Astana.\n")
    investment = proposals(ingestion, "investments")[("coventry-university",
                                                     "coventry-university-kazakhstan")]
    assert investment.record["amount"] == 50_000_000 and "its campus there" in investment.cue
    assert not any(p.kind == "influence_relations" and p.ends[1] == "astana"
                   for p in ingestion.proposals)


def test_a_place_after_an_institution_in_it_is_where_it_is_not_a_party():
    ingestion = ingest("Jane Roe is a professor of history at Coventry University, United Kingdom.\n")
    assert [p.kind for p in ingestion.proposals] == ["roles"]


def test_a_new_university_whose_state_comes_from_its_city_cites_the_reference():
    ingestion = ingest("Karaganda Polytechnic University signed a memorandum with China in 2023.\n")
    university = next(e for e in ingestion.entities if e.kind == "universities")
    assert university.record["country"] == "kazakhstan"
    assert university.references == ["reference-geography"]
    assert not university.guessed


def test_items_of_a_list_the_graph_does_not_know_still_carry_its_marker():
    from kgraph.ingest.linking import Mention
    from kgraph.ingest.proposals import Scene
    from kgraph.ingest.sentences import Sentence

    text = "Schools opened in China, Europe and Turkey."
    mentions = [Mention(text.index(n), text.index(n) + len(n), n, n.lower(), "states", 1.0)
                for n in ("China", "Turkey")]
    scene = Scene(text, Sentence(0, len(text)), mentions)
    assert [scene.marker[i] for i in range(2)] == ["in", "in"]  # Turkey is a place too


def test_a_region_responding_to_an_outside_power():
    GRAPH.append(entity("central-asia", "regions", "Central Asia"))
    GRAPH[-1].variants.append("Central Asian")
    try:
        ingestion = ingest("Central Asian governments keep ties with China while they diversify "
                           "their partners and limit their debts.\n")
    finally:
        GRAPH.pop()
    response = proposals(ingestion, "regional_responses")[("central-asia", "china")]
    assert response.record["responses"] == ["limitation", "diversification"]
    assert response.cue == "regional response: 'diversify'"


def test_university_names_as_they_are_written():
    ingestion = ingest("The campuses of Queen’s University Belfast, the University of Strelsau, TU Delft "
                       "and Turkey’s Bilkent University were praised in a book of Oxford University "
                       "Press.\n")
    labels = {e.record["label"] for e in ingestion.entities if e.kind == "universities"}
    assert labels == {"Queen’s University Belfast", "University of Strelsau", "TU Delft",
                      "Bilkent University"}
    bilkent = next(e for e in ingestion.entities if e.record["label"] == "Bilkent University")
    assert bilkent.record["country"] == "turkey" and not bilkent.guessed


def test_a_long_sentence_anywhere_in_a_text_is_quoted_by_its_clauses():
    from kgraph.ingest.sentences import quote_span, split_sentences

    text = ("A short sentence opens the text. Under the new rules, which were adopted after a long "
            "debate in parliament and many hearings, and which many observers welcomed, Ghent "
            "University opened a campus in Tashkent, while other universities waited for licences, "
            "for staff and for buildings, and for the ministry's answer.\n")
    sentence = split_sentences(text)[1]
    start = text.index("Ghent")
    span = quote_span(text, sentence, [(start, start + 16)])
    quote = text[span[0]:span[1]]
    assert "Ghent University opened a campus in Tashkent" in quote
    assert len(quote.split()) <= 40 and quote.split()[0] != "Ghent"
