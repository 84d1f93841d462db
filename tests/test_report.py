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
def institutions(context) -> list[str]:
    """The institutions outside Central Asia whose own instruments reach a Central Asian state,
    found the slow way: each institution's relations, one at a time."""
    from kgraph.indicators import INSTITUTION_KINDS

    def reaches(node) -> bool:
        return any(context.is_central_asian(r.receiver) and context.is_state(r.receiver)
                   and not context.is_central_asian(r.provider) for r in context.relations_from(node))

    return [n for n in context.network if context.kind(n) in INSTITUTION_KINDS and reaches(n)]


@pytest.fixture(scope="session")
def site_pages(out) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.name != "graph.html")


# --- the site as files ---------------------------------------------------------------------------

def test_build_writes_a_brief_per_external_actor_institution_and_central_asian_state(built, out, context,
                                                                                    institutions):
    written = {p.relative_to(out).as_posix() for p in built.outputs}
    assert {f"briefs/{a}.html" for a in ACTORS + institutions + STATES} <= written
    assert sorted(p.stem for p in (out / "briefs").iterdir()) == sorted(ACTORS + institutions + STATES)
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
    assert {f"briefs/{row['institution']}.html" for row in context.institutions()} <= targets
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


def test_at_scale_the_site_writes_the_briefs_of_the_top_actors_and_says_so(tmp_path, bundled_kg, context):
    result = site.write_site(bundled_kg, tmp_path, max_briefs=3)
    ranked = [row["institution"] for row in context.institutions()]
    assert sorted(p.stem for p in (tmp_path / "briefs").iterdir()) == sorted(ACTORS[:3] + ranked[:3] + STATES)
    assert result.notes == ["index.html links briefs of the 3 external actors with the most instruments, of 7; "
                            "kgraph brief ID writes any other.",
                            f"index.html links briefs of the 3 institutions with the most instruments, of {len(ranked)}; "
                            "kgraph brief ID writes any other."]
    index = read(tmp_path / "index.html")
    assert "The 3 external actors with the most instruments, of 7" in index
    assert f"The 3 institutions with the most instruments of their own, of {len(ranked)}" in index


def test_institutions_are_ranked_by_their_own_instruments_and_get_briefs_and_cards(out, context, institutions):
    rows = context.institutions()
    assert sorted(r["institution"] for r in rows) == sorted(institutions)
    assert {"de-montfort-university", "usaid", "rossotrudnichestvo"} <= set(institutions)
    assert not {"organization-of-turkic-states", "clarivate"} & set(institutions)  # none reach from outside
    for row in rows:
        reach = [r for r in context.relations_from(row["institution"]) if context.is_central_asian(r.receiver)
                 and context.is_state(r.receiver) and not context.is_central_asian(r.provider)]
        assert row["instruments"] == len({r.instrument for r in reach})
        assert row["channels"] == len({c for r in reach for c in r.channels})
        assert row["states"] == len({r.receiver for r in reach})
    assert [(-r["instruments"], r["institution"]) for r in rows] == sorted((-r["instruments"], r["institution"]) for r in rows)
    cards = re.search(r'<ul class="cards" id="institution-cards">(.*?)</ul>', read(out / "index.html"), re.S).group(1)
    linked = re.findall(r'<a href="briefs/([^"]+)\.html">', cards)
    assert linked == [r["institution"] for r in rows]
    usaid = next(r for r in rows if r["institution"] == "usaid")
    summary = re.search(r'href="briefs/usaid.html">.*?<div class="summary">([^<]*)</div>', cards, re.S).group(1)
    assert f"{usaid['states']} Central Asian states" in summary and f"{usaid['instruments']} instrument" in summary
    brief = Page(read(out / "briefs" / "de-montfort-university.html"))
    assert "De Montfort University" in " ".join(brief.text)


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


def test_a_state_reached_by_many_actors_draws_the_first_and_one_row_for_the_others(context, monkeypatch):
    from xml.sax.saxutils import escape as xml_escape

    import kgraph.report.pages
    from kgraph.report import brief_page

    relations = [r for r in soft_power_relations(context.network)
                 if r.receiver == "kazakhstan" and not context.is_central_asian(r.provider)]
    providers = {r.provider for r in relations}
    monkeypatch.setattr(kgraph.report.pages, "MAX_CHART_ACTORS", 2)
    html = brief_page(context, "kazakhstan").html
    heatmap = re.search(r'id="chart-incoming"><svg[^>]*aria-label="([^"]*)"', html).group(1)
    # Two actors and the others' row; every channel any actor uses keeps its column.
    channels = {c for r in relations for c in (r.channels or {"unspecified"})}
    assert f": 3 rows by {len(channels)} columns" in heatmap
    others = f"{len(providers) - 2} other actors"
    over_time = re.search(r'id="chart-incoming-time">(.*?)</figure>', html, re.S).group(1)
    assert over_time.count(f">{others}<") == 1  # its legend entry
    # The others' cell of a channel names the instruments of all of them.
    first_two = sorted(providers, key=lambda a: (-len({r.instrument for r in relations if r.provider == a}), a))[:2]
    rest = {r.instrument for r in relations if r.provider not in first_two and "language" in r.channels}
    names = ", ".join(sorted(context.label(i) for i in rest)[:12])
    assert rest and f"<title>{xml_escape(f'{others}, language: {names}')}</title>" in html


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
    assert explain.rank_words(*explain.rank_among(values, "a"), "entities") == "1st of 4 entities"
    assert explain.rank_words(*explain.rank_among(values, "d", higher_first=False), "brokers") == "1st of 4 brokers"


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
    # Entities are found as every command finds them (kgraph.network.entity_id).
    result = run("brief", "china", "nowhere", "-o", tmp_path / "out")
    assert result.exit_code != 0
    assert "The entity value 'nowhere' is not the id or label of anything in the graph." in result.output
    result = run("brief", "chian", "-o", tmp_path / "out")
    assert result.exit_code != 0 and "Close names: China" in result.output
    result = run("brief", "scholarships", "-o", tmp_path / "out")  # a concept, not an entity
    assert result.exit_code != 0 and "not an entity of the network" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_briefs_find_entities_by_any_label(tmp_path):
    result = run("brief", "Қазақстан", "-o", tmp_path / "kz.html")
    assert result.exit_code == 0, result.output
    assert "<h1>Brief: Kazakhstan</h1>" in read(tmp_path / "kz.html")


def test_a_comparison_of_one_actor_and_several_briefs_into_one_file_are_refused(tmp_path):
    result = run("brief", "--compare", "china", "-o", tmp_path / "c.html")
    assert result.exit_code != 0 and "A comparison needs at least two actors; got 1 (china)" in result.output
    result = run("brief", "china", "russia", "-o", tmp_path / "multi.html")
    assert result.exit_code != 0 and "2 briefs are written into a folder" in result.output
    assert "Traceback" not in result.output and list(tmp_path.iterdir()) == []


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


def test_a_russian_brief_speaks_russian_around_the_names(tmp_path):
    result = run("brief", "russia", "kazakhstan", "--lang", "ru", "--status", "stated", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    actor, state = read(tmp_path / "russia.html"), read(tmp_path / "kazakhstan.html")
    assert '<p class="subtitle">Государство · ' in actor
    lead = re.search(r'<p class="lead">(.*?)</p>', actor).group(1)
    assert lead.startswith("Россия: охваченных государств Центральной Азии — 5;"), lead
    assert re.search(r'<p class="lead">Казахстан: внешних акторов, влияющих на него, — \d+;', state)
    assert '<p class="filter">Только факты со статусом: изложено в источнике.</p>' in actor


def test_counted_words_take_the_language_s_plural_forms():
    from kgraph.words import Words, plural_category

    english, russian = Words("en"), Words("ru")
    assert [english("report.n-facts", count=n) for n in (1, 2, 1234)] == ["1 fact", "2 facts", "1,234 facts"]
    assert [plural_category(n, "ru") for n in (1, 3, 5, 21, 11)] == ["one", "few", "many", "one", "many"]
    table = {"facts": {"en": "x", "ru": {"one": "{count} факт", "few": "{count} факта", "many": "{count} фактов"}}}
    assert [Words("ru", table)("facts", count=n) for n in (1, 3, 5, 1234)] == \
        ["1 факт", "3 факта", "5 фактов", "1\xa0234 факта"]


def test_no_page_counts_one_thing_in_the_plural(site_pages):
    # "C5+1" is a name, not a count: its card's "2 instruments" follows it.
    one_in_plural = re.compile(r"(?<![\d.,+])1 (?:\w+ )?(?:facts|sources|references|instruments|channels|states|"
                               r"actors|relations)\b")
    for path in site_pages:
        assert not one_in_plural.findall(" ".join(Page(read(path)).text)), path.name


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


# --- the review's findings: statuses, quotes, names, joins, counts --------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """The small test data with the United Kingdom's scholarship inferred, and a store of it."""
    from conftest import MINIMAL
    import shutil

    folder = tmp_path_factory.mktemp("graded")
    shutil.copytree(MINIMAL, folder / "data")
    facts = folder / "data" / "facts.yaml"
    facts.write_text(read(facts).replace(
        "    launched: 2020\n", "    launched: 2020\n    epistemic_status: inferred\n"
        "    note: The report implies the funding.\n"), encoding="utf-8")
    result = run("build", "--data", folder / "data", "--store", f"oxigraph:{folder / 'store'}",
                 "--no-site", "-o", folder / "build")
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("where", ["data", "store"])
def test_status_selects_every_section_of_a_brief(graded, tmp_path, where):
    source = ["--data", graded / "data"] if where == "data" else ["--store", f"oxigraph:{graded / 'store'}"]
    result = run("brief", "united-kingdom", *source, "-o", tmp_path / "all.html")
    assert result.exit_code == 0, result.output
    assert "Test Scholarship" in re.search(r'<section id="instruments">.*?</section>', read(tmp_path / "all.html"), re.S).group(0)
    result = run("brief", "united-kingdom", *source, "--status", "stated", "-o", tmp_path / "stated.html")
    assert result.exit_code == 0, result.output
    html = read(tmp_path / "stated.html")
    assert "Test Scholarship" not in html and "test-scholarship" not in html  # table, timeline, facts, charts
    assert "De Montfort University" in html


def test_the_context_leaves_out_what_the_status_selection_leaves_out(graded):
    from kgraph.build import load_graph

    whole = gather(load_graph([graded / "data"]), statuses=["stated"])  # compiled with every status
    assert [row["id"] for row in whole.instruments("united-kingdom")] == ["de-montfort-university-kazakhstan"]
    assert "test-scholarship" in whole.left_out and not whole.shows("test-scholarship")
    assert all(fact != "test-scholarship" for fact in whole.facts_about("united-kingdom", {"test-scholarship"}))
    with pytest.raises(Exception, match="Unknown epistemic status 'doubtful'"):
        gather(load_graph([graded / "data"]), statuses=["doubtful"])


def test_evidence_is_read_with_one_query(bundled_kg, monkeypatch):
    from kgraph import query, viz

    asked = []
    original = query.run
    monkeypatch.setattr(query, "run", lambda source, name, **kw: asked.append(name) or original(source, name, **kw))
    evidence = viz.load_evidence(bundled_kg.graph)
    assert asked == ["fact-sources"]
    # The statuses and notes are those the graph gives (fact-status lists every fact not
    # simply stated, and every note).
    stated = original(bundled_kg.graph, "fact-status")
    assert evidence.statuses == {row["id"]: row["status"] for row in stated if row["status"] != "stated"}
    assert evidence.notes == {row["id"]: row["note"] for row in stated if row["note"]}


def test_citations_of_references_show_no_empty_quote(out, context):
    cited = [fact for fact, pairs in context.evidence.quotes.items()
             if any(quote is None for _, quote in pairs)]
    assert cited  # the bundled data cites its general references without a quote
    for path in sorted(out.rglob("*.html")):
        assert "<q>None</q>" not in read(path) and "<q></q>" not in read(path), path.name
    html = read(out / "briefs" / "kazakhstan.html")
    block = facts_of(html)["kazakhstan"]
    reference = context.evidence.titles["reference-iso-3166"]
    assert f'<li><cite title="{reference}">' in block.replace("&#39;", "'")


def test_relation_records_are_named_by_their_ends_and_channels(out, context):
    records = {str(d["record"]) for _, _, d in context.network.edges(data=True) if d.get("record")}
    for path in sorted((out / "briefs").glob("*.html")) + [out / "compare.html", out / "charts.html"]:
        text = " ".join(Page(read(path)).text)  # what a reader sees, the charts' hover texts too
        assert not [r for r in records if r in text], path.name
    relation = next(r for r in sorted(records) if r.startswith("influence-relation-china-kazakhstan-"))
    assert context.label(relation).startswith("China \u2192 Kazakhstan (")
    assert "China \u2192 Kazakhstan (" in " ".join(Page(read(out / "briefs" / "china.html")).text)


def test_models_and_disagreements_are_joined_on_iris_not_labels(context):
    import dataclasses

    assert context.models_of("china") and context.disagreements_about({"kazakhstan"})
    twin = context.network.copy()  # another entity bearing China's and Kazakhstan's names
    twin.add_node("china-twin", **context.network.nodes["china"])
    twin.add_node("kazakhstan-twin", **context.network.nodes["kazakhstan"])
    other = dataclasses.replace(context, network=twin)
    assert other.models_of("china-twin") == [] and other.disagreements_about({"kazakhstan-twin"}) == []
    assert other.models_of("china") == context.models_of("china")


def test_the_story_counts_the_corpus_s_facts_apart_from_general_references(out, bundled_kg):
    rows = run_query(bundled_kg.graph, "fact-sources")
    documents = {}
    for row in rows:
        documents.setdefault(str(row["fact"]), set())
        if row["source_type"] != "reference":
            documents[str(row["fact"])].add(row["source"])
    documented = [f for f, found in documents.items() if found]
    general = len(documents) - len(documented)
    sources = {s for found in documents.values() for s in found}
    lead = re.search(r'<p class="lead">(.*?)</p>', read(out / "index.html"), re.S).group(1)
    assert lead.startswith(f"{len(documented):,} facts from {len(sources)} sources, each with the sentence "
                           f"that supports it (and {general} facts of general reference")
    assert general > 0 and len(sources) < len({row["source"] for row in rows})


def test_the_numbers_the_docs_give_of_the_bundled_data_are_measured(context):
    report = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    viz_doc = (ROOT / "docs" / "viz.md").read_text(encoding="utf-8")
    entities, actors = context.entity_count, context.entity_count - context.place_count
    assert f'rank ("4th of {entities} entities"' in report
    assert f"regions ({actors} entities instead of {entities} on the bundled data)" in report
    balance = context.indicator_rows("benefactor-balance", "state")["kazakhstan"]
    assert f"benefactor: {balance['outgoing']} on the bundled data, against {balance['incoming']} received)" in report
    assert f"the bundled data has {context.network.number_of_nodes()})" in viz_doc
