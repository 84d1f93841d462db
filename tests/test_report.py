"""The report: briefs, the comparison, the charts and the site kgraph build writes, checked
as files against the graph's own numbers and opened in a real headless Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
import yaml

from conftest import ROOT, run
from kgraph.indicators import channel_portfolio, soft_power_relations
from kgraph.query import run as run_query
from kgraph.report import explain, gather, site

HOSTILE = "<script>alert(1)</script>"
ACTORS = ["china", "russia", "united-states", "united-kingdom", "south-korea", "france", "germany"]
STATES = ["kazakhstan", "kyrgyzstan", "tajikistan", "turkmenistan", "uzbekistan"]


class Page(HTMLParser):
    """Links, element ids and text of one page."""

    def __init__(self, html: str):
        super().__init__()
        self.links, self.ids, self.text = [], set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if "id" in attrs:
            self.ids.add(attrs["id"])

    def handle_data(self, data):
        self.text.append(data)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def row_of(html: str, row_id: str) -> str:
    return re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)


def yaml_records(kind: str) -> list[dict]:
    return [r for path in sorted((ROOT / "data").glob("*.yaml"))
            for r in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(kind, [])]


@pytest.fixture(scope="session")
def out(built) -> Path:
    return next(p for p in built.outputs if p.name == site.INDEX_FILE).parent


@pytest.fixture(scope="session")
def context(bundled_kg):
    return gather(bundled_kg)


@pytest.fixture(scope="session")
def site_pages(out) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.name != "graph.html")


# --- the site as files ---------------------------------------------------------------------------

def test_build_writes_a_brief_per_external_actor_and_central_asian_state(built, out, context):
    written = {p.relative_to(out).as_posix() for p in built.outputs}
    assert {f"briefs/{a}.html" for a in ACTORS + STATES} <= written
    assert sorted(p.stem for p in (out / "briefs").iterdir()) == sorted(ACTORS + STATES)
    assert context.external_actors() == [r["actor"] for r in channel_portfolio(context.network)]
    assert sorted(context.external_actors()) == sorted(ACTORS)
    assert {"index.html", "charts.html", "compare.html", "graph.html", "network.graphml"} <= written
    graphml = nx.read_graphml(out / "network.graphml", force_multigraph=True)
    assert graphml.number_of_nodes() == context.network.number_of_nodes()
    assert graphml.number_of_edges() == context.network.number_of_edges()


def test_every_link_of_every_page_resolves(out, site_pages, context):
    index = Page(read(out / "index.html"))
    targets = {link.split("#")[0] for link in index.links}
    assert {"graph.html", "compare.html", "charts.html", "softpower.ttl", "centrality.csv", "indicators.csv",
            "network.graphml"} <= targets
    assert {f"briefs/{node}.html" for node in ACTORS + STATES} <= targets
    for page in site_pages:
        for link in Page(read(page)).links:
            path, _, fragment = link.partition("#")
            assert (page.parent / path).resolve().is_file(), f"{page.name} links to missing {link}"
            if path.endswith("graph.html") and fragment:
                assert fragment in context.network, f"{page.name} links to graph.html#{fragment}"


def test_pages_are_self_contained_and_request_nothing(site_pages):
    for page in site_pages:
        html = read(page)
        assert "default-src 'none'" in html
        assert re.findall(r"<(?:script|link|img|iframe|object|embed)\b[^>]*?\b(?:src|href)=\"([^\"]*)\"", html) == ["data:,"]
        assert "<script" not in html  # the report's pages run no script at all


def test_the_same_data_gives_the_same_site(tmp_path, minimal_data):
    from kgraph.build import load_graph

    kg = load_graph([minimal_data])
    first = site.write_site(kg, tmp_path / "a").outputs
    site.write_site(kg, tmp_path / "b")
    for path in first:
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), path.name


def test_at_scale_the_site_writes_the_briefs_of_the_top_actors_and_says_so(tmp_path, bundled_kg):
    result = site.write_site(bundled_kg, tmp_path, max_briefs=3)
    assert sorted(p.stem for p in (tmp_path / "briefs").iterdir()) == sorted(ACTORS[:3] + STATES)
    assert result.notes == ["index.html links briefs of the 3 external actors with the most instruments, of 7; "
                            "kgraph brief ID writes any other."]
    assert "The 3 external actors with the most instruments, of 7" in read(tmp_path / "index.html")


def test_the_build_does_not_import_the_report_until_it_writes_the_site():
    code = "import sys, kgraph.pipeline, kgraph.viz, kgraph.indicators; print('kgraph.report' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


# --- what the pages say ---------------------------------------------------------------------------

def test_actor_brief_gives_its_portfolio_instruments_and_measures(out, context, bundled_kg):
    html = read(out / "briefs" / "china.html")
    portfolio = next(r for r in channel_portfolio(context.network) if r["actor"] == "china")
    label = re.search(r'<figure class="chart" id="chart-portfolio"><svg[^>]*aria-label="([^"]*)"', html).group(1)
    drawn = {name: int(count) for name, count in re.findall(r"([a-z][a-z -]+?) (\d+)(?:;|$)", label.split(": ", 1)[1])}
    labels = {c: context.concept(c)[0] for c in portfolio}
    assert drawn == {labels[c]: n for c, n in portfolio.items()
                     if c not in ("actor", "label", "instruments", "channels") and n}
    instruments = run_query(bundled_kg.graph, "actor-instruments", actor="china")
    table = re.search(r'<section id="instruments">(.*?)</section>', html, re.S).group(1)
    assert table.count("<tr>") == len(instruments) + 1
    pagerank = sorted(context.centrality.values(), key=lambda r: (-r["pagerank"], r["id"]))
    position = 1 + sum(1 for r in pagerank if r["pagerank"] > context.centrality["china"]["pagerank"])
    entities = context.network.number_of_nodes()
    assert f"{explain.ordinal(position)} of {entities} entities" in row_of(html, "measure-pagerank")
    broker = row_of(html, "measure-brokerage")
    whole, actor = context.centrality["china"]["betweenness"], context.indicator_rows("brokerage", "id")["china"]["betweenness"]
    assert f"hence {actor:.3f} here against {whole:.3f}" in broker and "leaves out cities and regions" in broker


def facts_of(html: str) -> dict[str, str]:
    """Each fact's id and its block of a brief's list of facts."""
    section = re.search(r'<section id="facts">(.*?)</section>', html, re.S).group(1)
    return dict(re.findall(r'<div class="fact" id="fact-([^"]+)">(.*?)(?=<div class="fact"|$)', section, re.S))


def test_every_fact_of_a_brief_carries_its_quotes(out, context):
    html = read(out / "briefs" / "united-kingdom.html")
    facts = facts_of(html).items()
    assert len(facts) == len(context.facts_about("united-kingdom", site_instrument_ids(context, "united-kingdom")))
    for fact, body in facts:
        for _, quote in context.evidence.quotes[fact]:
            if quote:
                assert f"<q>{escape(quote)}</q>" in body


def site_instrument_ids(context, actor) -> set:
    return {row["id"] for row in context.instruments(actor)} | {r.instrument for r in context.relations_from(actor)}


def escape(text: str) -> str:
    from markupsafe import escape as markup_escape

    return str(markup_escape(text))


def test_state_brief_shows_who_reaches_it_and_what_it_gives(out, context):
    html = read(out / "briefs" / "kazakhstan.html")
    relations = soft_power_relations(context.network)
    incoming = {(r.provider, c) for r in relations if r.receiver == "kazakhstan"
                and not context.is_central_asian(r.provider) for c in (r.channels or {"unspecified"})}
    label = re.search(r'id="chart-incoming"><svg[^>]*aria-label="([^"]*)"', html).group(1)
    assert f"{len(incoming)} cells with a count" in label
    given = [r for r in relations if r.provider == "kazakhstan"]
    outward = re.search(r'<section id="outward">(.*?)</section>', html, re.S).group(1)
    assert outward.split("</table>")[0].count("<tr>") == len(given) + 1
    assert "gives 32 soft-power relations of its own" in html and len(given) == 32


def test_comparison_follows_the_sources_table_2_with_quotes(out):
    html = read(out / "compare.html")
    models = {m["actor"]: m for m in yaml_records("soft_power_models")}
    narratives = {n["id"]: n for n in yaml_records("narratives")}
    cells = dict(re.findall(r'<tr id="row-(\w+)">(.*?)</tr>', html, re.S))
    for actor in ("china", "russia", "united-states"):
        narrative = narratives[models[actor]["narrative"]]
        assert f"<li>{escape(narrative['label'])}</li>" in cells["narrative"]
        for evidence in narrative["evidence"]:
            assert f"<q>{escape(evidence['quote'])}</q>" in cells["narrative"]
        for strength in models[actor]["strengths"]:
            assert f"<li>{escape(strength)}</li>" in cells["strengths"]
        for constraint in models[actor]["constraints"]:
            assert f"<li>{escape(constraint)}</li>" in cells["constraints"]
    assert cells["instruments"].count("<q>") == 9  # three quotes of each model's Table 2 row
    assert "Confucius Institute" in cells["instruments"] and "USAID projects" in cells["instruments"]


def test_ranks_and_ordinals():
    assert [explain.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
    values = {"a": 5, "b": 3, "c": 3, "d": 1}
    assert explain.rank_among(values, "c") == (2, 4, True)
    assert explain.rank_among(values, "d") == (4, 4, False)
    assert explain.rank_text(values, "a", "entities") == "1st of 4 entities"
    assert explain.rank_text(values, "d", "brokers", higher_first=False) == "1st of 4 brokers"


# --- the command line ---------------------------------------------------------------------------

def test_brief_command_writes_briefs_and_the_comparison(tmp_path):
    result = run("brief", "china", "-o", tmp_path / "china.html")
    assert result.exit_code == 0, result.output
    html = read(tmp_path / "china.html")
    assert "<h1>Brief: China</h1>" in html and "<nav" not in html  # alone: it links nowhere
    result = run("brief", "Kazakhstan", "russia", "-o", tmp_path / "several")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "several").iterdir()) == ["kazakhstan.html", "russia.html"]
    result = run("brief", "--compare", "china", "russia", "united-states", "-o", tmp_path / "c.html")
    assert result.exit_code == 0 and "<h1>Comparison: China, Russia, United States</h1>" in read(tmp_path / "c.html")


def test_brief_errors_speak_to_the_user_and_write_nothing(tmp_path):
    result = run("brief", "china", "nowhere", "-o", tmp_path / "out")
    assert result.exit_code != 0 and "No entity 'nowhere' in the graph" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_brief_in_kazakh_as_of_a_year(tmp_path, bundled_kg):
    from kgraph.network import project, until_year

    result = run("brief", "kazakhstan", "--lang", "kk", "--until", "2013", "-o", tmp_path / "kz.html")
    assert result.exit_code == 0, result.output
    html = read(tmp_path / "kz.html")
    names = project(bundled_kg).nodes["kazakhstan"]
    assert '<html lang="kk">' in html and f"<h1>Анықтама: {names.get('label_kk', names['label'])}</h1>" in html
    assert "Көрсеткіштердің түсіндірмелері ағылшынша берілген." in html  # the explanations' fallback, said
    as_of = until_year(project(bundled_kg), 2013)
    assert f"<td class=\"number\">{as_of.degree('kazakhstan'):,}</td>" in row_of(html, "measure-degree")
    assert as_of.degree("kazakhstan") < project(bundled_kg).degree("kazakhstan")


def test_the_page_s_statuses_are_the_data_s():
    from kgraph import viz
    from kgraph.choices import EPISTEMIC_STATUSES

    assert viz.STATUSES == EPISTEMIC_STATUSES


# --- hostile data, statuses, in the browser ---------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The site of the small test data, with markup in a label and an inferred relation."""
    from conftest import MINIMAL
    import shutil

    folder = tmp_path_factory.mktemp("hostile")
    data = folder / "data"
    shutil.copytree(MINIMAL, data)
    places = data / "places.yaml"
    places.write_text(read(places).replace("label: United Kingdom", f'label: "{HOSTILE} Kingdom"'), encoding="utf-8")
    facts = data / "facts.yaml"
    facts.write_text(read(facts).replace(
        "    instrument: de-montfort-university-kazakhstan\n",
        "    instrument: de-montfort-university-kazakhstan\n    epistemic_status: inferred\n"
        "    note: The campus stands for the state's influence.\n"), encoding="utf-8")
    result = run("build", "--data", data, "-o", folder / "build")
    assert result.exit_code == 0, result.output
    return folder / "build"


def test_markup_in_the_data_stays_text_everywhere(hostile_site):
    for page in sorted(hostile_site.rglob("*.html")):
        html = read(page)
        assert HOSTILE not in html, page.name
        if page.name != "graph.html":
            assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Kingdom" in read(hostile_site / "briefs" / "united-kingdom.html")


def test_inferred_facts_are_flagged_with_their_note(hostile_site):
    html = read(hostile_site / "briefs" / "united-kingdom.html")
    inferred = {fact: body for fact, body in facts_of(html).items() if "badge-inferred" in body}
    assert len(inferred) == 1 and next(iter(inferred)).startswith("influence-relation-")
    assert "The campus stands for the state&#39;s influence." in next(iter(inferred.values()))


PAINTED = """async (svg) => {
    const xml = new XMLSerializer().serializeToString(svg);
    const image = new Image();
    image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(xml)));
    await image.decode();
    const box = svg.getBoundingClientRect();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(box.width); canvas.height = Math.round(box.height);
    const context = canvas.getContext("2d");
    context.fillStyle = "#ffffff"; context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200) painted++;
    return [canvas.width, canvas.height, painted];
}"""


def open_quietly(browser, path: Path, *, media: str = "screen"):
    """A page opened in a fresh context, with every request, console error and dialog kept."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    seen = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.emulate_media(media=media)
    page.goto(path.resolve().as_uri())
    return context, page, seen


def test_every_page_opens_offline_with_its_charts_drawn(browser, site_pages):
    for path in site_pages:
        context, page, seen = open_quietly(browser, path)
        try:
            assert seen["requests"] == [path.resolve().as_uri()] and seen["errors"] == [], path.name
            charts = page.query_selector_all("figure.chart svg")
            assert charts or path.name not in ("index.html", "charts.html", "compare.html"), path.name
            for chart in charts:
                width, height, painted = page.evaluate(PAINTED, chart)
                assert width > 300 and height > 80, path.name
                assert painted > 0.01 * width * height, f"a blank chart in {path.name}"
        finally:
            context.close()


def test_hostile_pages_run_nothing_in_the_browser(browser, hostile_site):
    for path in sorted(hostile_site.rglob("*.html")):
        context, page, seen = open_quietly(browser, path)
        try:
            assert seen["dialogs"] == [] and seen["errors"] == [], path.name
            if path.name != "graph.html":
                assert page.evaluate("() => document.scripts.length") == 0
        finally:
            context.close()
    context, page, _ = open_quietly(browser, hostile_site / "index.html")
    assert f"{HOSTILE} Kingdom" in page.inner_text("main")
    context.close()


def chart_texts(svg: str) -> list[str]:
    return [t for t in re.findall(r"<text[^>]*>([^<]+)</text>", svg) if t.strip()]


@pytest.mark.parametrize("name", ["briefs/china.html", "briefs/kazakhstan.html", "compare.html"])
def test_the_print_view_keeps_every_chart_on_one_page(browser, out, tmp_path, name):
    from pypdf import PdfReader

    context, page, _ = open_quietly(browser, out / name, media="print")
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    context.close()
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(pdf).pages]
    assert len(pages) > 1
    charts = re.findall(r'<figure class="chart"[^>]*>(<svg.*?</svg>)</figure>', read(out / name), re.S)
    assert charts
    for svg in charts:
        texts = chart_texts(svg)
        first, last = texts[0], texts[-1]
        assert any(first in text and last in text for text in pages), f"a chart cut across pages: {first} ... {last}"
