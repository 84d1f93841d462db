"""kgraph in Jupyter: a real notebook executed by a real kernel (nbclient, ipykernel), its
HTML outputs then opened in headless Chromium."""

from __future__ import annotations

import ast
import html

import pytest
from rdflib.namespace import RDFS

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("pandas")

CELLS = [
    "from kgraph import load_graph\nfrom kgraph.query import execute\nfrom kgraph.viz import graph_page\nkg = load_graph()",
    "kg",
    "campuses = execute(kg.graph, 'SELECT ?campus ?label WHERE { ?campus a sp:BranchCampus ; rdfs:label ?label } ORDER BY ?label')\ncampuses",
    "frame = campuses.to_pandas()\n(frame.shape, list(frame.columns), frame['label'].iloc[0])",
    "graph_page(kg, view='actors-channels')",
    "graph_page(kg, focus='kazakhstan')",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}}).execute()
    return notebook


def outputs(cell) -> dict:
    return {key: value for output in cell.outputs for key, value in output.get("data", {}).items()}


def test_results_and_graphs_display_as_tables_and_data_frames(executed, bundled_kg):
    from kgraph.namespaces import RDF, SP

    errors = [o for cell in executed.cells for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    counts = outputs(executed.cells[1])["text/html"]
    states = len(set(bundled_kg.graph.subjects(RDF.type, SP.State)))
    assert f"<td>sp:State</td><td>{states}</td>" in counts
    campuses = sorted(str(label) for campus in bundled_kg.graph.subjects(RDF.type, SP.BranchCampus)
                      for label in bundled_kg.graph.objects(campus, RDFS.label))
    table = outputs(executed.cells[2])["text/html"]
    assert table.count("<tr>") == len(campuses) + 1 and f"<p>{len(campuses)} rows</p>" in table
    assert f"<td>{html.escape(campuses[0])}</td>" in table
    shown = ast.literal_eval(outputs(executed.cells[3])["text/plain"])
    assert shown == ((len(campuses), 2), ["campus", "label"], campuses[0])


def test_two_network_pages_draw_inline_in_the_browser(executed, tmp_path, browser):
    """The executed notebook's HTML outputs on one page, as a notebook shows them: two
    network pages, each in its own frame, both drawn with a height, no error, no request."""
    frames_html = [outputs(cell)["text/html"] for cell in executed.cells[4:6]]
    assert all(frame.startswith("<iframe srcdoc=") for frame in frames_html)
    page_file = tmp_path / "notebook.html"
    page_file.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                         + "".join(f"<div class='output'>{frame}</div>" for frame in frames_html)
                         + "</body></html>", encoding="utf-8")
    requests, errors = [], []
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        tab.on("request", lambda request: requests.append(request.url))
        tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(page_file.as_uri())
        frames = [frame for frame in tab.frames if frame != tab.main_frame]
        assert len(frames) == 2
        drawn = []
        for frame in frames:
            frame.wait_for_function("() => window.kgraph && window.kgraph.nodeCount() > 0", timeout=60_000)
            drawn.append(frame.evaluate("""() => {
                const canvas = document.querySelector('#graph canvas');
                return {nodes: window.kgraph.nodeCount(), height: canvas ? canvas.clientHeight : 0,
                        graphHeight: document.getElementById('graph').clientHeight};
            }"""))
        heights = tab.evaluate("() => [...document.querySelectorAll('iframe')].map(f => f.clientHeight)")
    finally:
        tab.close()
    assert all(item["nodes"] > 5 and item["height"] > 300 and item["graphHeight"] > 300 for item in drawn), drawn
    assert drawn[0]["nodes"] != drawn[1]["nodes"]
    assert all(height > 300 for height in heights)
    assert errors == []
    assert [url for url in requests if not url.startswith(("file:", "about:", "data:"))] == []
