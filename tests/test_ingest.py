"""kgraph ingest: linking with the variants real texts use, sentences and quotes, proposals
that are valid data with verbatim quotes, and a clear refusal of every kind of bad input."""

from __future__ import annotations

import json
import re
import sys
import zlib
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, ROOT, run
from kgraph.ingest.known import KnownEntity, read_known
from kgraph.ingest.linking import Gazetteer
from kgraph.ingest.sentences import Sentence, quote_span, split_sentences

ARTICLE = """\
Branch campuses in Central Asia
In 2023, Heriot-Watt University opened a branch campus in Tashkent, and the U.S. Embassy said the DeMontfort University branch in Almaty was full.
Uzbekistan hosts 1,200 students from Kyrgyzstan, according to Dr. Aliya Serikova, a researcher.
Kazakhstan signed a memorandum with Mongolia on academic partnerships in 2024.
Sayasat Nurbek, the minister, met us in Astana; Turkestan hosted the forum.
"""


def entity(identifier, kind, *names, iso=None):
    return KnownEntity(identifier, kind, [(n, "en", False) for n in names], iso)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer([
        entity("kazakhstan", "states", "Kazakhstan", iso="KZ"),
        entity("united-states", "states", "United States", iso="US"),
        entity("south-korea", "states", "South Korea", "Korea", "Republic of", iso="KR"),
        entity("de-montfort-university", "universities", "De Montfort University"),
        entity("heriot-watt-university", "universities", "Heriot-Watt University"),
        entity("mgimo", "universities", "MGIMO"),
        entity("mgimo-astana", "branch_campuses", "MGIMO Astana"),
        entity("astana", "cities", "Astana"),
        entity("turkistan", "cities", "Turkistan"),
        entity("sayasat-nurbek", "people", "Sayasat Nurbek"),
        entity("tether", "companies", "Tether"),
        entity("turkey", "states", "Turkey", iso="TR"),
    ])


def linked(gazetteer, text):
    return [(m.text, m.entity, m.status) for m in gazetteer.link(text)]


@pytest.mark.parametrize("text, expected", [
    ("DeMontfort University", ("DeMontfort University", "de-montfort-university", "linked")),
    ("Heriot Watt University", ("Heriot Watt University", "heriot-watt-university", "linked")),
    ("the U.S. said", ("U.S.", "united-states", "linked")),
    ("the USA said", ("USA", "united-states", "linked")),
    ("Kazakhstan’s campuses", ("Kazakhstan", "kazakhstan", "linked")),
    ("Қазақстанның университеттері", ("Қазақстанның", "kazakhstan", "linked")),
    ("в Казахстане", ("Казахстане", "kazakhstan", "linked")),
    ("Саясат Нұрбек айтты", ("Саясат Нұрбек", "sayasat-nurbek", "linked")),
    ("a campus in Turkestan", ("Turkestan", "turkistan", "linked")),
    ("Université de Lorraine and Mongolia", ("Mongolia", "mongolia", "country")),
])
def test_names_are_linked_whatever_their_spelling(gazetteer, text, expected):
    assert expected in linked(gazetteer, text)


def test_the_longest_name_wins_and_case_matters_where_it_should(gazetteer):
    assert linked(gazetteer, "MGIMO Astana opened") == [("MGIMO Astana", "mgimo-astana", "linked")]
    # "us" is not the United States, "turkey" not Turkey, "tether" not the company, and the
    # fragment "Republic of" (a badly split alternative label) names nothing.
    assert linked(gazetteer, "they met us to tether a turkey in the Republic of Chad") == [
        ("Republic of Chad", "chad", "country")]
    # US$ is a currency, not the United States.
    assert linked(gazetteer, "it cost US$16 million") == []


def test_a_shared_name_is_resolved_by_context_or_left_with_its_candidates():
    entities = [entity("georgia", "states", "Georgia", iso="GE"),
                entity("georgia-us", "regions", "Georgia"),
                entity("tbilisi", "cities", "Tbilisi")]
    gazetteer = Gazetteer(entities, neighbours={"tbilisi": {"georgia"}, "georgia": {"tbilisi"}})
    alone = gazetteer.link("Georgia")[0]
    assert (alone.entity, alone.status, alone.candidates) == (None, "ambiguous",
                                                              ("georgia", "georgia-us"))
    with_context = [m for m in gazetteer.link("Georgia and Tbilisi") if m.text == "Georgia"][0]
    assert (with_context.entity, with_context.match) == ("georgia", "context")


def test_sentences_end_at_real_sentence_ends_and_quotes_are_cut_at_clauses():
    text = "Dr. Smith moved to the U.S. in 2020. Enrolment rose by 3.5 per cent. No. 5 is next.\n"
    spans = [text[s.start:s.end] for s in split_sentences(text)]
    assert spans == ["Dr. Smith moved to the U.S. in 2020.", "Enrolment rose by 3.5 per cent.",
                     "No. 5 is next."]
    long = ("Under the new rules, which were adopted after a long debate in parliament and many "
            "hearings, and which many observers welcomed, Heriot-Watt University opened a campus "
            "in Tashkent, while other universities waited for licences, for staff and for buildings.")
    start = long.index("Heriot-Watt")
    span = quote_span(long, Sentence(0, len(long)), [(start, start + 11), (long.index("Tashkent"), long.index("Tashkent") + 8)])
    quote = long[span[0]:span[1]]
    assert "Heriot-Watt University opened a campus in Tashkent" in quote
    assert len(quote.split()) <= 40 and quote in long


@pytest.fixture(scope="module")
def article_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("article")
    ingest_article(folder, folder / "proposals", folder / "report.json")
    return folder, json.loads((folder / "report.json").read_text(encoding="utf-8"))


def ingest_article(folder: Path, out: Path, report: Path) -> None:
    """The example article, saved in ``folder``, ingested against the bundled graph."""
    document = folder / "article.txt"
    document.write_text(ARTICLE, encoding="utf-8")
    result = run("ingest", document, "-o", out, "--report", report, "--source-id",
                 "example-article", "--url", "https://example.org/a", "--date", "2024-05-01",
                 "--type", "news-analysis")
    assert result.exit_code == 0, result.output


def proposals_of(report, kind):
    return [p for p in report["proposals"] if p["kind"] == kind]


def test_a_document_gives_sourced_proposals_and_new_entities(article_run):
    folder, report = article_run
    assert report["source"] == "example-article"
    new = {e["id"]: e["kind"] for e in report["new_entities"]}
    # A campus of a known university in a city of Uzbekistan the graph knows.
    campus = next(e for e in report["new_entities"] if e["kind"] == "branch_campuses")
    proposals = yaml.safe_load((folder / "proposals" / "proposals.yaml").read_text(encoding="utf-8"))
    record = next(r for r in proposals["branch_campuses"] if r["id"] == campus["id"])
    assert (record["parent"], record["host_city"], record["host_state"], record["opened"]) == (
        "heriot-watt-university", "tashkent", "uzbekistan", 2023)
    # Students with their count; a partnership with a country the graph lacks, and its year.
    flow = proposals_of(report, "student_flows")[0]
    assert (flow["ends"], flow["record"]["count"]) == (["kyrgyzstan", "uzbekistan"], 1200)
    partnership = proposals_of(report, "partnerships")[0]
    assert partnership["record"]["parties"] == ["kazakhstan", "mongolia"]
    assert partnership["record"]["year"] == 2024
    assert new["mongolia"] == "states"
    mongolia = next(r for r in proposals["states"] if r["id"] == "mongolia")
    assert (mongolia["iso_code"], mongolia["iso_alpha3"], mongolia["iso_numeric"],
            mongolia["labels"]["ru"]) == ("MN", "MNG", "496", "Монголия")
    assert new["aliya-serikova"] == "people"
    # Influence reaches states and regions: the campus in Tashkent gives none to the city,
    # and "the U.S. Embassy" after the campus's city is no place the campus reaches. Hosting
    # Kyrgyz students is read as Uzbekistan's academic-mobility influence, and said so.
    assert not any(p["record"]["target"] in ("tashkent", "almaty", "united-states")
                   for p in proposals_of(report, "influence_relations"))
    hosting = next(p for p in proposals_of(report, "influence_relations")
                   if p["ends"] == ["uzbekistan", "kyrgyzstan"])
    assert hosting["record"]["channels"] == ["academic-mobility"]
    assert "read as reaching it through academic mobility" in hosting["cue"]
    for records in proposals.values():
        for record in records:
            assert record["epistemic_status"] == "proposed"
            assert "cue:" in record["note"]


def test_every_quote_is_verbatim_and_every_offset_points_at_it(article_run):
    folder, report = article_run
    text = (folder / "proposals" / "example-article.txt").read_text(encoding="utf-8")
    quotes = [(p["quote"], p["start"], p["end"]) for p in report["proposals"]]
    quotes += [(e["quote"], e["start"], e["end"]) for e in report["proposals"] for e in e["evidence"]]
    for quote, start, end in quotes:
        assert text[start:end] == quote
    for mention in report["mentions"]:
        assert text[mention["start"]:mention["end"]] == mention["text"]
    for new in report["new_entities"]:
        assert new["quote"] in text
    # Numbers in a proposal are written in its quote; both its ends are named in it.
    for proposal in report["proposals"]:
        for field in ("year", "count"):
            if field in proposal["record"]:
                assert str(proposal["record"][field]) in proposal["quote"].replace(",", "")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the source corpus is not beside the checkout")
def test_proposals_are_valid_data_that_build_as_proposed_and_check_quotes_verify(article_run):
    folder, _ = article_run
    proposals = folder / "proposals"
    validated = run("validate", "--data", "@bundled", "--data", proposals)
    assert validated.exit_code == 0, validated.output
    checked = run("check-quotes", "--data", "@bundled", "--data", proposals,
                  "--corpus", CORPUS, "--corpus", proposals)
    assert checked.exit_code == 0, checked.output
    records = sum(len(v) for v in yaml.safe_load(
        (proposals / "proposals.yaml").read_text(encoding="utf-8")).values())
    listed = run("query", "proposed-facts", "--format", "json", "--data", "@bundled",
                 "--data", proposals)
    rows = json.loads(listed.stdout)["results"]["bindings"]
    assert len({row["record"]["value"] for row in rows}) == len(rows) == records
    assert {row["source"]["value"] for row in rows} == {"example-article"}
    assert all("cue:" in row["note"]["value"] for row in rows)


def test_facts_the_graph_holds_are_not_proposed_again(tmp_path):
    document = tmp_path / "known.txt"
    document.write_text("Today, Kazakhstan hosts over 35,000 international students, primarily "
                        "from India and Turkmenistan.\n", encoding="utf-8")
    result = run("ingest", document, "-o", tmp_path / "out", "--report", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert proposals_of(report, "student_flows") == []
    assert {m["entity"] for m in report["mentions"]} == {"kazakhstan", "india", "turkmenistan"}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the source corpus is not beside the checkout")
def test_a_corpus_text_ingested_against_the_graph_without_it(tmp_path, bundled_kg):
    """Every quote of a real article is verbatim, every proposal names both its ends in it."""
    from kgraph.ingest.documents import read_document
    from kgraph.ingest.pipeline import Ingester, SourceDetails

    ingestion = Ingester(read_known(bundled_kg.graph)).ingest(
        read_document(CORPUS / "001_3f94677daae6148a.txt"), SourceDetails(source_id="frigerio-again"))
    assert ingestion.words > 1000 and len(ingestion.mentions) > 60
    text = ingestion.text
    for proposal in ingestion.proposals:
        for quote, start, end in proposal.evidence:
            assert text[start:end] == quote and len(quote.split()) <= 40
        names = [m for m in ingestion.mentions if proposal.start <= m.start < proposal.end]
        assert set(proposal.ends) <= {m.entity for m in names}


# --- documents of every format, and bad input ------------------------------------------------

def tiny_pdf(lines: list[str]) -> bytes:
    """A PDF with one page whose text layer holds the lines (no text: an image-only page)."""
    content = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(
        f"({line}) Tj T*" for line in lines) + " ET" if lines else "0 0 1 rg 72 72 200 200 re f"
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_is_read_from_its_text_layer_with_its_lines_joined(tmp_path):
    from kgraph.ingest.documents import read_document

    path = tmp_path / "campus.pdf"
    path.write_bytes(tiny_pdf(["Heriot-Watt University opened a campus in", "Tashkent in 2023."]))
    document = read_document(path)
    assert document.format == "pdf"
    assert "Heriot-Watt University opened a campus in Tashkent in 2023." in document.text


def test_an_html_page_gives_its_main_text_and_metadata(tmp_path):
    from kgraph.ingest.documents import read_document

    path = tmp_path / "page.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Campus news</title>"
        '<meta property="og:url" content="https://example.org/campus">'
        "<script>var tracking = 1;</script></head><body><nav><a href='/'>Home</a> | "
        "<a href='/about'>About us</a></nav><article><h1>A new campus in Tashkent</h1>"
        "<p>Heriot-Watt University opened a branch campus in Tashkent in 2023, its first in "
        "Central Asia, with programmes in engineering and business.</p><p>The campus expects "
        "its first graduates in 2027, the university said in a statement on Monday.</p>"
        "</article><footer>Copyright 2024 Example News. All rights reserved.</footer>"
        "</body></html>", encoding="utf-8")
    document = read_document(path)
    assert document.format == "html"
    assert "Heriot-Watt University opened a branch campus in Tashkent" in document.text
    assert "tracking" not in document.text and "All rights reserved" not in document.text
    assert document.metadata["url"] == "https://example.org/campus"


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(tiny_pdf([]))
    scripts = tmp_path / "scripts.html"
    scripts.write_text("<html><head><script>var a = 1;</script></head><body>"
                       "<script>document.write('x')</script></body></html>", encoding="utf-8")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50_000_000)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Université de Lorraine".encode("latin-1"))
    return {"empty": (empty, "empty"), "binary": (binary, "binary data"),
            "scan": (scan, "no text layer"), "scripts": (scripts, "no readable text"),
            "huge": (huge, "50.0 MB"), "latin": (latin, "UTF-8")}


@pytest.mark.parametrize("case", ["empty", "binary", "scan", "scripts", "huge", "latin"])
def test_bad_documents_are_refused_naming_the_file_and_nothing_is_written(tmp_path, case):
    path, reason = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    result = run("ingest", path, "-o", out, "--report", tmp_path / "report.json")
    assert result.exit_code == 2
    assert str(path) in result.output and reason in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "report.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_bad_options_and_outputs_are_refused(tmp_path):
    document = tmp_path / "a.txt"
    document.write_text(ARTICLE, encoding="utf-8")
    language = run("ingest", document, "--lang", "de", "-o", tmp_path / "x")
    assert language.exit_code == 2 and "'de' is not one of" in language.output
    date = run("ingest", document, "--date", "May 2024", "-o", tmp_path / "x")
    assert date.exit_code == 2 and "YYYY-MM-DD" in date.output
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.yaml").write_text("sources: []\n", encoding="utf-8")
    refused = run("ingest", document, "-o", existing)
    assert refused.exit_code == 2 and "already exists" in refused.output
    assert (existing / "keep.yaml").exists()
    replaced = run("ingest", document, "-o", existing, "--force", "--source-id", "a-text")
    assert replaced.exit_code == 0, replaced.output
    assert sorted(p.name for p in existing.iterdir()) == ["a-text.txt", "proposals.yaml",
                                                          "sources.yaml"]
    data = tmp_path / "data"
    data.mkdir()
    (data / "sources.yaml").write_text("", encoding="utf-8")
    inside = run("ingest", document, "--data", "@bundled", "--data", data, "-o", data / "proposals")
    assert inside.exit_code == 2 and "inside the data folder" in inside.output
    assert not (data / "proposals").exists()
    taken = run("ingest", document, "--source-id", "nurbek-academic-hub", "-o", tmp_path / "y")
    assert taken.exit_code == 2 and "already has a source 'nurbek-academic-hub'" in taken.output
    state = run("ingest", document, "--source-id", "kazakhstan", "-o", tmp_path / "z")
    assert state.exit_code == 2 and "already has an entity 'kazakhstan'" in state.output


def test_without_the_ingest_extra_the_command_says_what_to_install(tmp_path, monkeypatch):
    from kgraph.ingest import pipeline

    monkeypatch.setitem(pipeline.LIBRARIES, "no_such_module_here", "pyahocorasick")
    document = tmp_path / "a.txt"
    document.write_text(ARTICLE, encoding="utf-8")
    result = run("ingest", document, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "pip install 'kgraph[ingest]'" in result.output and "pyahocorasick" in result.output
    assert not (tmp_path / "out").exists()


def test_the_same_document_gives_the_same_bytes(tmp_path, article_run):
    folder, _ = article_run
    ingest_article(tmp_path, tmp_path / "again", tmp_path / "again.json")
    for name in ("sources.yaml", "proposals.yaml", "example-article.txt"):
        assert (tmp_path / "again" / name).read_bytes() == (folder / "proposals" / name).read_bytes()
    assert (tmp_path / "again.json").read_bytes() == (folder / "report.json").read_bytes()


def test_several_documents_get_a_folder_each_and_one_report(tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("Campus news\nHeriot-Watt University opened a campus in Tashkent.\n",
                     encoding="utf-8")
    second.write_text("Exchange news\nKazakhstan signed an agreement with Mongolia.\n",
                      encoding="utf-8")
    result = run("ingest", first, second, "-o", tmp_path / "proposals", "--report",
                 tmp_path / "report.json")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "proposals").iterdir()) == ["campus-news",
                                                                          "exchange-news"]
    reports = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [r["source"] for r in reports] == ["campus-news", "exchange-news"]
    one_id = run("ingest", first, second, "--source-id", "both", "-o", tmp_path / "x")
    assert one_id.exit_code == 2 and "--source-id names one document" in one_id.output


# --- the worked example of docs/ingest.md --------------------------------------------------------

def worked_example() -> list[tuple[str, list[str]]]:
    """The shell session of docs/ingest.md's worked example: each `$ kgraph` command (its
    continuation lines joined) with the lines it is shown to print."""
    text = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    section = text[text.index("## A worked example"):]
    steps = []
    for block in re.findall(r"^```(\w*)\n(.*?)^```$", section, re.S | re.M):
        if block[0]:
            continue  # a file shown, not a session
        for command in re.split(r"^\$ ", block[1], flags=re.M)[1:]:
            lines = command.replace("\\\n", " ").splitlines()
            steps.append((lines[0], lines[1:]))
    return steps


def printed_as_shown(shown: list[str], printed: str) -> bool:
    """Every shown line is printed, in order; '...' stands for lines left out, and a line
    ending in '...' for the rest of a line."""
    lines = iter(printed.splitlines())
    for expected in shown:
        if expected == "...":
            continue
        if not any(line.startswith(expected[:-3]) if expected.endswith("...") else line == expected
                   for line in lines):
            return False
    return True


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the source corpus is not beside the checkout")
def test_the_worked_example_of_the_ingest_guide_prints_what_it_shows(tmp_path, monkeypatch):
    import shlex

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_ingest

    monkeypatch.chdir(tmp_path)
    steps = worked_example()
    assert [command.split()[:2] for command, _ in steps][:3] == [
        ["python", "-c"], ["kgraph", "ingest"], ["kgraph", "validate"]]
    kept = sorted(bench_ingest.reduced_data("nurbek-academic-hub", tmp_path / "reduced"))
    assert steps[0][1] == [str(kept)]
    for command, shown in steps[1:]:
        words = shlex.split(command.replace("../shared/sources", str(CORPUS)))
        words, grep = (words[:words.index("|")], words[-1]) if "|" in words else (words, None)
        result = run(*words[1:])
        assert result.exit_code == 0, (command, result.output)
        printed = "\n".join(line for line in result.output.splitlines() if grep is None or grep in line)
        assert printed_as_shown(shown, printed), (command, shown, result.output)
