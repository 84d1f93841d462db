"""kgraph viz: the interactive HTML page, checked as a file and in a real headless Chromium.

The browser tests open the generated pages in Debian's Chromium (driven by Playwright, one
browser for the session), record every request and console message the page makes, and
drive the page through its ``window.kgraph`` API and its controls.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import networkx as nx
import pytest
import yaml

from conftest import ROOT, run
from kgraph import viz
from kgraph.indicators import centralities, channel_portfolio
from kgraph.network import ego_network, project

HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
HOSTILE_QUOTE = 'He said "</script><script>alert(2)</script>" <a href="javascript:alert(3)">here</a>'


def page_json(html: str) -> dict:
    """The data a page embeds (the JSON of its ``kgraph-data`` script element)."""
    found = re.search(r'<script type="application/json" id="kgraph-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def yaml_records(kind: str) -> list[dict]:
    """Every record of one kind in the bundled data folder."""
    return [record for path in sorted((ROOT / "data").glob("*.yaml"))
            for record in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(kind, [])]


def entity(graph, node, label=None, kind="organisations", cls="Organisation", **attributes):
    graph.add_node(node, id=node, label=label or node.title(), kind=kind, **{"class": cls},
                   **attributes)


def hostile_network() -> nx.MultiDiGraph:
    """Two entities whose label, attribute and quote are markup and script."""
    graph = nx.MultiDiGraph(channels="scholarships")
    entity(graph, "bad", HOSTILE_LABEL, status="</script><script>alert(4)</script>")
    entity(graph, "kz", "Kazakhstan", kind="states", cls="State", central_asian=True)
    graph.add_edge("bad", "kz", key="r1", relation="influences", qualified=True, record="r1",
                   channel="scholarships")
    return graph


HOSTILE_EVIDENCE = viz.Evidence({"bad": [("s1", HOSTILE_QUOTE)]}, {"s1": "<i>Source</i>"})


def big_network(leaves: int = 400) -> nx.MultiDiGraph:
    """More nodes than the browser lays out: two stars joined by one edge, and a lone node."""
    graph = nx.MultiDiGraph(channels="")
    for hub in ("hub-a", "hub-b"):
        entity(graph, hub, kind="states", cls="State")
        for index in range(leaves // 2):
            leaf = f"{hub}-leaf-{index}"
            entity(graph, leaf, kind="universities", cls="University")
            graph.add_edge(leaf, hub, key=f"{leaf}|homeCountry|{hub}", relation="homeCountry",
                           qualified=False)
    graph.add_edge("hub-a", "hub-b", key="ab", relation="partnerOf", qualified=True, record="ab")
    entity(graph, "alone")
    return graph


@pytest.fixture(scope="session")
def network(bundled_kg):
    return project(bundled_kg)


@pytest.fixture(scope="session")
def full_page(built) -> Path:
    return next(p for p in built.outputs if p.name == viz.GRAPH_HTML_FILE)


@pytest.fixture(scope="session")
def full_data(full_page) -> dict:
    return page_json(full_page.read_text(encoding="utf-8"))


# --- the file --------------------------------------------------------------------------------

def test_build_writes_the_full_view_with_every_node_and_edge(full_data, network):
    assert [n["id"] for n in full_data["nodes"]] == sorted(network)
    assert len(full_data["edges"]) == network.number_of_edges() == 376
    assert sorted((e["from"], e["to"]) for e in full_data["edges"]) == sorted(network.edges())
    assert full_data["physics"] is True  # 229 nodes: the browser lays them out
    assert {c["name"]: c["count"] for c in full_data["classes"]}["Person"] == sum(
        1 for _, d in network.nodes(data=True) if d["kind"] == "people")
    responses = len(yaml_records("regional_responses"))
    assert {r["name"]: r["count"] for r in full_data["relations"]}["respondsTo"] == responses > 0


def test_the_page_loads_nothing_from_outside(full_page):
    html = full_page.read_text(encoding="utf-8")
    referenced = re.findall(r"<(?:script|link|img|iframe|object|embed)\b[^>]*?\b(?:src|href)=\"([^\"]*)\"", html)
    assert referenced == ["data:,"]  # the empty favicon, so that the browser asks for none
    assert "default-src 'none'" in html
    assert html.lower().count("</script") == 3  # the data, vis-network and the page script
    assert "@version 9.1.2" in html  # vis-network, inlined from pyvis


def test_viz_command_writes_one_file_and_the_same_bytes_twice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("viz")
    assert result.exit_code == 0, result.output
    assert "wrote graph.html: 228 nodes, 376 edges" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html"]  # no lib/ folder
    first = (tmp_path / "graph.html").read_bytes()
    assert run("viz", "-o", "again.html").exit_code == 0
    assert (tmp_path / "again.html").read_bytes() == first


def test_hostile_text_is_escaped_in_the_file():
    html = viz.graph_html(hostile_network(), HOSTILE_EVIDENCE, title="<b>title</b>")
    assert "<img" not in html and "<b>title" not in html and "&lt;b&gt;title" in html
    assert html.lower().count("</script") == 3  # the quote's "</script>" closed nothing
    data = page_json(html)
    assert data["nodes"][0]["label"] == HOSTILE_LABEL
    assert data["evidence"]["bad"] == [["s1", HOSTILE_QUOTE]]


def test_ego_view_is_the_ego_network(tmp_path, network):
    output = tmp_path / "ego.html"
    result = run("viz", "--focus", "kazakhstan", "--depth", "1", "-o", output)
    assert result.exit_code == 0, result.output
    data = page_json(output.read_text(encoding="utf-8"))
    expected = ego_network(network, "kazakhstan", 1)
    assert {n["id"] for n in data["nodes"]} == set(expected)
    assert len(data["edges"]) == expected.number_of_edges()
    assert data["title"] == "Soft-power network around Kazakhstan (depth 1)"


@pytest.mark.parametrize("name", ["De Montfort University", "de montfort", "DMU"])
def test_focus_takes_any_label(tmp_path, name):
    """--focus takes what --param takes: an id, or a label in any case and language."""
    by_id, by_name = tmp_path / "id.html", tmp_path / "name.html"
    assert run("viz", "--focus", "de-montfort-university", "-o", by_id).exit_code == 0
    result = run("viz", "--focus", name, "-o", by_name)
    if name == "DMU":  # not a label: refused with the closest names
        assert result.exit_code == 2 and "is not the id or label of anything" in result.output
        return
    assert result.exit_code == 0, result.output
    assert by_name.read_bytes() == by_id.read_bytes()


def test_actors_channels_view_matches_the_channel_portfolio(network):
    view = viz.select_view(network, "actors-channels")
    for row in channel_portfolio(network):
        used = {v[len("channel:"):]: d["count"] for _, v, d in view.out_edges(row["actor"], data=True)}
        assert used == {c: n for c, n in row.items() if c in used or (
            c not in ("actor", "label", "instruments", "channels") and n)}
    states = {v for _, v, d in view.edges(data=True) if d["relation"] == "channelReaches"}
    assert states == {"kazakhstan", "kyrgyzstan", "tajikistan", "turkmenistan", "uzbekistan"}


@pytest.mark.parametrize("args, code, message", [
    (["--view", "ego"], 2, "needs an entity to centre on"),
    (["--focus", "nowhere"], 2, "The --focus value 'nowhere' is not the id or label of anything"),
    (["--focus", "Chine"], 2, "Close names: China."),
    (["--focus", "soft-power"], 2, "No entity 'soft-power' in the network"),
    (["--class", "Univercity"], 2, "No class 'Univercity' in the network. Did you mean: "
                                   "University, universities, UniversityAlliance?"),
    (["--channel", "scholarship"], 2, "No channel 'scholarship' in the network. Did you mean: "
                                      "scholarships?"),
    (["--view", "full", "--focus", "kazakhstan"], 2, "applies to the ego view only"),
])
def test_viz_errors_speak_to_the_user(tmp_path, args, code, message):
    result = run("viz", *args, "-o", tmp_path / "out.html")
    assert result.exit_code == code
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.html").exists()


def test_tooltips_carry_key_figures_and_the_quotes_of_the_data(full_data):
    nodes = {n["id"]: n for n in full_data["nodes"]}
    campus = next(r for r in yaml_records("branch_campuses") if r["id"] == "mgimo-astana")
    assert ["Status", campus["status"]] in nodes["mgimo-astana"]["facts"]
    quoted = [[e["source"], e["quote"]] for e in campus.get("evidence", [campus])]
    assert full_data["evidence"]["mgimo-astana"] == quoted
    source = quoted[0][0]
    title = next(r["title"] for r in yaml_records("sources") if r["id"] == source)
    assert full_data["sources"][source] == title
    edges = {(e["from"], e["to"], e["relation"]): e for e in full_data["edges"]}
    invested = [r for r in yaml_records("investments") if "amount" in r]
    assert len(invested) == 2
    for record in invested:
        money = f"{record['amount']:,} {record['currency']}"
        edge = edges[(record["investor"], record["recipient"], "investsIn")]
        assert ["Amount", money] in edge["facts"]
        assert [record["source"], record["quote"]] in full_data["evidence"][edge["evidence"]]
        assert ["Invests or funds", money] in nodes[record["investor"]]["facts"]
        assert ["Receives investment or funding", money] in nodes[record["recipient"]]["facts"]
    assert [m[0] for m in nodes["kazakhstan"]["metrics"]] == ["In-degree", "Out-degree", "PageRank"]


def test_labels_in_the_chosen_language_fall_back_to_english(network):
    data = viz.page_data(network, lang="kk")
    nodes = {n["id"]: n for n in data["nodes"]}
    for node, attributes in network.nodes(data=True):
        assert nodes[node]["label"] == attributes.get("label_kk", attributes["label"])
        assert nodes[node].get("en") == (attributes["label"] if "label_kk" in attributes
                                         and attributes["label_kk"] != attributes["label"] else None)


def test_node_area_grows_with_the_chosen_centrality(network):
    data = viz.page_data(network, size_by="betweenness")
    sizes = {n["id"]: n["size"] for n in data["nodes"]}
    values = {r["id"]: r["betweenness"] for r in centralities(network, ["betweenness"])}
    ranked = sorted(values, key=values.get)
    assert sizes[ranked[0]] == viz.MIN_SIZE and sizes[ranked[-1]] == viz.MAX_SIZE
    assert [sizes[n] for n in ranked] == sorted(sizes.values())
    assert data["sizeBy"] == "Betweenness"


def test_big_graphs_get_positions_from_python_that_do_not_overlap():
    graph = big_network()
    data = viz.page_data(graph)
    assert data["physics"] is False
    positions = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert positions == viz.ring_layout(graph) and len(positions) == 403
    points = list(positions.values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest >= 0.95 * viz.RING_SPACING
    hub, ring = positions["hub-a"], 200 * viz.RING_SPACING / (2 * math.pi)
    for index in range(200):  # each star's leaves sit on one ring around its hub
        assert abs(math.dist(hub, positions[f"hub-a-leaf-{index}"]) - ring) < 1


# --- in the browser --------------------------------------------------------------------------

class OpenPage:
    """A page opened in a fresh browser context, with everything it asked for and said."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.requests, self.errors, self.dialogs = [], [], []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_function("() => window.kgraph && kgraph.isStabilised()", timeout=60_000)

    def call(self, script: str, argument=None):
        return self.page.evaluate(script, argument)

    def dom_point(self, node: str) -> tuple[float, float]:
        """Where a node is drawn, in page coordinates."""
        return tuple(self.call("""(node) => {
            const network = kgraph.network;
            const point = network.canvasToDOM(network.getPositions([node])[node]);
            const box = document.getElementById("graph").getBoundingClientRect();
            return [point.x + box.left, point.y + box.top];
        }""", node))

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    opened = []

    def opener(path: Path) -> OpenPage:
        opened.append(OpenPage(browser, path))
        return opened[-1]

    yield opener
    for page in opened:
        page.close()


CANVAS_COLOURS = """() => {
    const canvas = document.querySelector("#graph canvas");
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] === 255) colours.add("#" + [0, 1, 2].map((k) => pixels[i + k].toString(16).padStart(2, "0")).join(""));
    }
    return [...colours];
}"""


def test_full_page_draws_every_node_offline_and_without_errors(open_page, full_page, full_data, network):
    page = open_page(full_page)
    assert page.requests == [page.url]
    assert page.errors == []
    assert page.call("() => [kgraph.nodeCount(), kgraph.edgeCount()]") == [
        network.number_of_nodes(), network.number_of_edges()]
    assert page.call("() => kgraph.isPhysicsOn()") is False  # stopped after stabilisation
    colours = set(page.call(CANVAS_COLOURS))
    class_colours = {c["colour"] for c in full_data["classes"]}
    assert len(colours) > 1
    assert len(class_colours & colours) >= 10, sorted(class_colours - colours)


def test_search_focuses_the_named_node(open_page, full_page):
    page = open_page(full_page)
    assert page.call("() => kgraph.search('Kazakhstan')") == "kazakhstan"
    assert page.call("() => kgraph.network.getSelectedNodes()") == ["kazakhstan"]
    centre = page.call("() => kgraph.network.getViewPosition()")
    node = page.call("() => kgraph.network.getPositions(['kazakhstan']).kazakhstan")
    assert math.dist((centre["x"], centre["y"]), (node["x"], node["y"])) < 1
    page.page.fill("#search", "MGIMO Astana")
    page.page.press("#search", "Enter")
    assert page.call("() => kgraph.network.getSelectedNodes()") == ["mgimo-astana"]
    assert page.call("() => kgraph.search('no such entity')") is None
    assert page.page.inner_text("#search-message") == "No entity matches \u201cno such entity\u201d."


def test_page_opens_without_people_cities_and_documents_behind_a_toggle(open_page, full_page, full_data):
    page = open_page(full_page)
    counts = {c["name"]: c["count"] for c in full_data["classes"]}
    total = len(full_data["nodes"])
    context = counts["Person"] + counts["City"] + counts["PolicyDocument"]
    assert full_data["hiddenClasses"] == ["City", "Person", "PolicyDocument"]
    assert page.call("() => kgraph.visibleNodeCount()") == total - context
    assert page.page.is_checked("#classes input[data-name=Person]") is False
    page.page.click("#context")  # "Show people, cities and documents"
    assert page.call("() => kgraph.visibleNodeCount()") == total
    assert page.page.inner_text("#context") == "Hide people, cities and documents"
    page.page.get_by_role("checkbox", name="Person").uncheck()  # the legend's own control
    assert page.call("() => kgraph.visibleNodeCount()") == total - counts["Person"]


def test_class_filter_hides_the_other_classes(open_page, full_page, full_data):
    page = open_page(full_page)
    counts = {c["name"]: c["count"] for c in full_data["classes"]}
    total = len(full_data["nodes"])
    for name in counts:
        page.call("([name, shown]) => kgraph.filterClass(name, shown)", [name, name == "State"])
    states = {n["id"] for n in full_data["nodes"] if n["group"] == "State"}
    between_states = sum(1 for e in full_data["edges"] if e["from"] in states and e["to"] in states)
    assert page.call("() => [kgraph.visibleNodeCount(), kgraph.visibleEdgeCount()]") == [
        counts["State"], between_states]
    assert page.page.inner_text("#status").endswith(f"(showing {counts['State']} nodes, {between_states} edges)")
    page.page.click("#show-all")
    assert page.call("() => kgraph.visibleNodeCount()") == total


def overlapping(boxes: list[dict]) -> list[tuple]:
    return [(a["label"], b["label"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]


def test_labels_are_legible_at_the_fit_zoom_and_never_overlap(open_page, full_page, full_data):
    page = open_page(full_page)
    labels = page.call("() => kgraph.drawnLabels()")
    width, height = page.call("() => { const c = document.querySelector('#graph canvas'); return [c.clientWidth, c.clientHeight]; }")
    assert len(labels) >= 30 and overlapping(labels) == []
    assert min(label["px"] for label in labels) >= 11
    assert all(0 <= b["x"] and b["x"] + b["w"] <= width and 0 <= b["y"] and b["y"] + b["h"] <= height for b in labels)
    visible = set(page.call("() => kgraph.visibleNodeIds()"))
    largest = sorted((n for n in full_data["nodes"] if n["id"] in visible), key=lambda n: -n["size"])[:3]
    assert {n["id"] for n in largest} <= {label["id"] for label in labels}  # importance first
    before = len(labels)
    page.call("() => { kgraph.network.moveTo({ scale: kgraph.network.getScale() * 4 }); kgraph.network.redraw(); }")
    zoomed = page.call("() => kgraph.drawnLabels()")
    assert overlapping(zoomed) == [] and len(zoomed) > 0 and before > 0


def test_ego_view_fills_the_window_and_marks_its_focus(open_page, tmp_path):
    output = tmp_path / "china.html"
    assert run("viz", "--focus", "china", "-o", output).exit_code == 0
    data = page_json(output.read_text(encoding="utf-8"))
    focus = next(n for n in data["nodes"] if n["id"] == "china")
    assert focus["focus"] is True and focus["size"] == max(n["size"] for n in data["nodes"])
    page = open_page(output)
    box = page.call("""() => {
        const ids = kgraph.visibleNodeIds(), network = kgraph.network;
        const points = Object.values(network.getPositions(ids)).map((p) => network.canvasToDOM(p));
        const canvas = document.querySelector('#graph canvas');
        return [Math.min(...points.map((p) => p.x)), Math.max(...points.map((p) => p.x)),
                Math.min(...points.map((p) => p.y)), Math.max(...points.map((p) => p.y)),
                canvas.clientWidth, canvas.clientHeight, network.getScale()];
    }""")
    left, right, top, bottom, width, height, scale = box
    assert scale > 1.0  # the fit zoomed in: 14 nodes are no longer drawn small
    assert (right - left) / width > 0.5 or (bottom - top) / height > 0.5
    assert abs((left + right) / 2 - width / 2) < 0.1 * width and abs((top + bottom) / 2 - height / 2) < 0.1 * height
    labels = {label["label"] for label in page.call("() => kgraph.drawnLabels()")}
    assert {"China", "Central Asia", "Silk Road Economic Belt"} <= labels
    assert overlapping(page.call("() => kgraph.drawnLabels()")) == []
    page.call("() => kgraph.network.moveTo({ scale: 0.2 })")
    page.page.click("#fit")
    assert page.call("() => kgraph.network.getScale()") == pytest.approx(scale, rel=0.01)
    page.page.mouse.move(*page.dom_point("china"))
    page.page.wait_for_selector("#tooltip:not([hidden])")
    assert "centre of this view" in page.page.inner_text("#tooltip")


def test_year_slider_shows_the_network_as_of_a_year(open_page, full_page, full_data, network):
    from kgraph.network import until_year

    page = open_page(full_page)
    page.page.click("#show-all")
    years = full_data["years"]
    assert years == sorted({d["year"] for _, _, d in network.edges(data=True) if "year" in d}
                           | {viz.node_year(d) for _, d in network.nodes(data=True) if viz.node_year(d)})
    for year in (2013, 2020, years[0] - 1):
        expected = until_year(network, year)
        assert page.call("(year) => kgraph.setYear(year)", year) == [
            expected.number_of_nodes(), expected.number_of_edges()]
    page.page.fill("#year", str(years.index(2013)))  # the slider itself
    page.page.dispatch_event("#year", "input")
    assert page.page.inner_text("#year-value") == "as of 2013"
    assert page.call("() => kgraph.visibleNodeCount()") == until_year(network, 2013).number_of_nodes()
    page.page.fill("#year", str(len(years)))
    page.page.dispatch_event("#year", "input")
    assert page.page.inner_text("#year-value") == "all years"
    assert page.call("() => kgraph.visibleNodeCount()") == len(full_data["nodes"])


def test_legend_names_channels_by_their_labels(open_page, full_page, full_data):
    channels = {c["id"]: c["label"] for c in full_data["channels"]}
    assert channels["people-to-people"] == "people-to-people contacts"
    assert channels["infrastructure-connectivity"] == "infrastructure and connectivity"
    page = open_page(full_page)
    legend = page.page.inner_text("#channels")
    assert "people-to-people contacts" in legend and "infrastructure-connectivity" not in legend


def test_russian_page_translates_its_own_words_and_marks_what_falls_back(open_page, tmp_path, network):
    output = tmp_path / "ru.html"
    assert run("viz", "--focus", "china", "--lang", "ru", "-o", output).exit_code == 0
    data = page_json(output.read_text(encoding="utf-8"))
    named = [n for n in data["nodes"] if not n.get("untranslated")]
    assert {n["id"] for n in named} == {n for n in ego_network(network, "china", 1) if "label_ru" in network.nodes[n]}
    page = open_page(output)
    assert page.page.inner_text("#search-form button") == "Найти"
    assert page.page.inner_text("#fit") == "Вписать в окно"
    assert page.page.inner_text("#classes").count("Государство") >= 1
    note = page.page.inner_text("#language-note")
    assert f"{data['untranslated']} из {len(data['nodes'])}" in note
    untranslated_channels = [c for c in data["channels"] if c["untranslated"]]
    russian = [c for c in data["channels"] if c["id"] and not c["untranslated"]]
    assert russian and all(re.search("[а-яё]", c["label"], re.I) for c in russian)
    italic = page.call("() => [...document.querySelectorAll('#channels .untranslated')].map((e) => e.textContent)")
    assert italic == [c["label"] for c in untranslated_channels]


def test_a_word_without_translation_falls_back_to_english_visibly():
    from kgraph.words import Words

    table = {"graph.find": {"en": "Find", "ru": "Найти"}, "graph.fit": {"en": "Fit to window"}}
    words = Words("ru", table)
    assert words("graph.find") == "Найти" and not words.missing("graph.find")
    assert words("graph.fit") == "Fit to window" and words.missing("graph.fit")
    assert words.for_page() == {"graph.find": ["Найти", False], "graph.fit": ["Fit to window", True]}
    complete = Words("kk")
    assert [k for k in complete.table if complete.missing(k) and complete.table[k]["en"]] == []


def status_network() -> tuple[nx.MultiDiGraph, viz.Evidence]:
    """Two facts that are not simply stated: an inferred relation and a proposed entity."""
    graph = nx.MultiDiGraph(channels="scholarships")
    entity(graph, "kz", "Kazakhstan", kind="states", cls="State", central_asian=True)
    entity(graph, "uk", "United Kingdom", kind="states", cls="State")
    entity(graph, "maybe", "A proposed centre", epistemic_status="proposed")
    graph.add_edge("uk", "kz", key="r1", relation="influences", qualified=True, record="r1",
                   epistemic_status="inferred")
    graph.add_edge("maybe", "kz", key="m|hostState|kz", relation="hostState", qualified=False)
    evidence = viz.Evidence({"r1": [("s1", "a quote")]}, {"s1": "Source"},
                            notes={"r1": "The quote implies it; the coder infers the relation."})
    return graph, evidence


def test_inferred_and_proposed_facts_are_drawn_apart(open_page, tmp_path):
    graph, evidence = status_network()
    data = viz.page_data(graph, evidence)
    edges = {e["id"]: e for e in data["edges"]}
    assert sorted((e["from"], e.get("status")) for e in edges.values()) == [("maybe", "proposed"), ("uk", "inferred")]
    assert {s["id"]: s["count"] for s in data["statuses"]} == {"stated": 2, "inferred": 1, "proposed": 2}
    path = tmp_path / "statuses.html"
    path.write_text(viz.render_page(data), encoding="utf-8")
    page = open_page(path)
    dashes = page.call("() => Object.fromEntries(kgraph.network.body.data.edges.get().map((e) => [e.from, e.dashes]))")
    assert dashes == {"uk": [7, 4], "maybe": [2, 4]}
    assert page.page.is_visible("#statuses") and "inferred" in page.page.inner_text("#statuses")
    edge = next(e for e in data["edges"] if e["from"] == "uk")
    page.page.evaluate("(id) => kgraph.network.emit('hoverEdge', { edge: id, pointer: { DOM: { x: 50, y: 50 } } })", edge["id"])
    tooltip = page.page.inner_text("#tooltip")
    assert "inferred" in tooltip and "the coder infers the relation" in tooltip


def test_statuses_and_notes_come_from_the_graph(minimal_data):
    from kgraph.build import load_graph

    facts = minimal_data / "facts.yaml"
    text = facts.read_text(encoding="utf-8").replace(
        "    instrument: de-montfort-university-kazakhstan\n",
        "    instrument: de-montfort-university-kazakhstan\n    epistemic_status: inferred\n"
        "    note: The campus stands for the state's influence.\n")
    facts.write_text(text, encoding="utf-8")
    evidence = viz.load_evidence(load_graph([minimal_data]).graph)
    inferred = [fact for fact, status in evidence.statuses.items() if status == "inferred"]
    assert len(inferred) == 1 and inferred[0].startswith("influence-relation-")
    assert evidence.notes[inferred[0]] == "The campus stands for the state's influence."


def test_hostile_label_shows_as_text_and_runs_nothing(open_page, tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(viz.graph_html(hostile_network(), HOSTILE_EVIDENCE), encoding="utf-8")
    page = open_page(path)
    page.page.mouse.move(*page.dom_point("bad"))
    page.page.wait_for_selector("#tooltip:not([hidden])")
    tooltip = page.page.inner_text("#tooltip")
    assert tooltip.startswith(HOSTILE_LABEL)
    assert "</script><script>alert(4)</script>" in tooltip and HOSTILE_QUOTE in tooltip
    assert page.call("() => document.querySelectorAll('img, a, i, #tooltip script').length") == 0
    assert page.dialogs == [] and page.errors == [] and page.requests == [page.url]


def test_big_graph_is_drawn_at_once_from_python_positions(open_page, tmp_path):
    graph = big_network()
    path = tmp_path / "big.html"
    path.write_text(viz.graph_html(graph), encoding="utf-8")
    page = open_page(path)
    assert page.errors == [] and page.requests == [page.url]
    assert page.call("() => [kgraph.nodeCount(), kgraph.edgeCount(), kgraph.isPhysicsOn()]") == [
        403, 401, False]
    expected = viz.ring_layout(graph)
    drawn = page.call("() => kgraph.network.getPositions(['hub-a', 'hub-b-leaf-7', 'alone'])")
    assert {n: (p["x"], p["y"]) for n, p in drawn.items()} == {
        n: expected[n] for n in ("hub-a", "hub-b-leaf-7", "alone")}
    assert page.call("() => kgraph.togglePhysics()") is True
    assert page.page.inner_text("#physics") == "Freeze layout"
    assert page.call("() => kgraph.togglePhysics()") is False


@pytest.mark.parametrize("args", [["--view", "actors-channels"], ["--focus", "china", "--depth", "2"],
                                  ["--channel", "scholarships", "--lang", "ru"]])
def test_other_views_open_without_errors(open_page, tmp_path, args):
    output = tmp_path / "view.html"
    assert run("viz", *args, "-o", output).exit_code == 0
    data = page_json(output.read_text(encoding="utf-8"))
    page = open_page(output)
    assert page.errors == [] and page.requests == [page.url]
    assert page.call("() => [kgraph.nodeCount(), kgraph.edgeCount()]") == [
        len(data["nodes"]), len(data["edges"])]


def test_the_evidence_of_some_facts_is_what_the_whole_evidence_says(bundled_kg):
    whole = viz.load_evidence(bundled_kg.graph)
    facts = sorted(set(whole.quotes) | set(whole.statuses) | set(whole.notes))
    part = viz.load_evidence(bundled_kg.graph, facts[::3] + ["no-such-fact", "not an id|at all"])
    assert set(part.quotes) == {f for f in facts[::3] if f in whole.quotes}
    for fact in facts[::3]:
        assert part.quotes.get(fact) == whole.quotes.get(fact), fact
        assert (part.labels.get(fact), part.kinds.get(fact)) == (whole.labels.get(fact), whole.kinds.get(fact))
        assert (part.status(fact), part.notes.get(fact)) == (whole.status(fact), whole.notes.get(fact))
        assert all(part.titles[source] == whole.titles[source] for source, _ in part.quotes.get(fact, []))
    assert any(whole.status(fact) != "stated" or whole.notes.get(fact) for fact in facts[::3])
