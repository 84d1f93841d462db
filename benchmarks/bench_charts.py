"""Which chart library for the report: matplotlib (static SVG) against Plotly and Vega-Lite
(interactive, their JavaScript inlined), on the charts the site draws.

For each library the same three charts (the actor x channel heatmap, the timeline of dated
facts by year and channel, a ranking of actors) go into one offline page under the site's
Content-Security-Policy; the script prints the time to make the page in Python, its size,
the time until the charts are drawn in headless Chromium (median of --runs), and the errors
the browser reports. Two data sets: the bundled data, and the shape the site draws from a
graph of a million triples (the 50 external actors it shows, every channel, 66 years).

    python benchmarks/bench_charts.py [--runs 3]

Needs the ``benchmarks`` extra (plotly, altair, vl-convert-python).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:")
CHROMIUM = "/usr/bin/chromium"


def bundled_data():
    from kgraph.report import gather
    from kgraph.build import load_graph

    context = gather(load_graph())
    portfolio = context.measures.indicators["channel-portfolio"]
    columns = [c for c in portfolio[0] if c not in ("actor", "label", "instruments", "channels")]
    matrix = {(r["label"], c): r[c] for r in portfolio for c in columns}
    timeline = {}
    for fact in context.dated_facts:
        for channel in fact.channels or ("unspecified",):
            timeline[(fact.year, channel)] = timeline.get((fact.year, channel), 0) + 1
    ranking = [(r["label"], r["instruments"]) for r in portfolio]
    return matrix, timeline, ranking


def scale_data(seed: int = 1):
    """The shape of the site's charts at 1M triples: 50 actors x 18 channels, 66 years."""
    rng = random.Random(seed)
    actors = [f"State {i:02d}" for i in range(50)]
    channels = [f"channel {i:02d}" for i in range(18)]
    matrix = {(a, c): max(0, int(rng.paretovariate(1.2)) - 1) for a in actors for c in channels}
    timeline = {(y, c): rng.randrange(0, 40) for y in range(1960, 2026) for c in channels}
    ranking = sorted(((a, sum(matrix[(a, c)] for c in channels)) for a in actors), key=lambda p: -p[1])[:15]
    return matrix, timeline, ranking


def page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
            f'content="{CSP}"><title>charts</title>{head}</head><body>{body}</body></html>')


def with_matplotlib(matrix, timeline, ranking) -> str:
    from kgraph.report import charts
    from kgraph.report.charts import Name

    actors = sorted({a for a, _ in matrix})
    channels = sorted({c for _, c in matrix})
    years = sorted({y for y, _ in timeline})
    tl_channels = sorted({c for _, c in timeline})
    figures = [
        charts.heatmap([Name(a) for a in actors], [Name(c) for c in channels],
                       [[matrix[(a, c)] for c in channels] for a in actors], title="heatmap", salt="h"),
        charts.stacked_bars([str(y) for y in years], [Name(c) for c in tl_channels],
                            [[timeline.get((y, c), 0) for y in years] for c in tl_channels], title="timeline",
                            ylabel="facts", salt="t"),
        charts.bar_chart([Name(a) for a, _ in ranking], [v for _, v in ranking], title="ranking",
                         xlabel="instruments", salt="r"),
    ]
    return page("".join(f'<figure class="chart">{f.svg}</figure>' for f in figures))


def with_plotly(matrix, timeline, ranking) -> str:
    import plotly.graph_objects as go
    import plotly.io as pio

    actors = sorted({a for a, _ in matrix})
    channels = sorted({c for _, c in matrix})
    years = sorted({y for y, _ in timeline})
    heat = go.Figure(go.Heatmap(z=[[matrix[(a, c)] for c in channels] for a in actors], x=channels, y=actors))
    bars = go.Figure([go.Bar(name=c, x=years, y=[timeline.get((y, c), 0) for y in years])
                      for c in sorted({c for _, c in timeline})], layout={"barmode": "stack"})
    rank = go.Figure(go.Bar(x=[v for _, v in ranking], y=[a for a, _ in ranking], orientation="h"))
    parts = [pio.to_html(f, include_plotlyjs=(i == 0), full_html=False, div_id=f"chart{i}")
             for i, f in enumerate((heat, bars, rank))]
    return page("".join(parts))


def with_vega_lite(matrix, timeline, ranking) -> str:
    import altair as alt
    import vl_convert as vlc

    heat = alt.Chart(alt.Data(values=[{"actor": a, "channel": c, "n": n} for (a, c), n in matrix.items()])).mark_rect() \
        .encode(x="channel:N", y="actor:N", color="n:Q", tooltip=["actor:N", "channel:N", "n:Q"])
    bars = alt.Chart(alt.Data(values=[{"year": y, "channel": c, "n": n} for (y, c), n in timeline.items()])).mark_bar() \
        .encode(x="year:O", y="sum(n):Q", color="channel:N")
    rank = alt.Chart(alt.Data(values=[{"actor": a, "n": n} for a, n in ranking])).mark_bar() \
        .encode(x="n:Q", y=alt.Y("actor:N", sort="-x"))
    bundle = vlc.javascript_bundle()
    specs = [c.to_dict() for c in (heat, bars, rank)]
    script = (f"<script type=\"module\">{bundle}\nconst specs = {json.dumps(specs)};\n"
              "for (const [i, spec] of specs.entries()) { vegaEmbed('#chart' + i, spec); }</script>")
    return page("".join(f'<div id="chart{i}"></div>' for i in range(3)) + script)


#: How the browser tells that each library has drawn its three charts.
DRAWN = {
    "matplotlib (SVG)": "() => document.querySelectorAll('figure svg').length === 3",
    "Plotly (inlined JS)": "() => document.querySelectorAll('.main-svg').length >= 3",
    "Vega-Lite (inlined JS)": "() => document.querySelectorAll('.marks').length === 3",
}
MAKERS = {"matplotlib (SVG)": with_matplotlib, "Plotly (inlined JS)": with_plotly,
          "Vega-Lite (inlined JS)": with_vega_lite}


def open_time(browser, path: Path, drawn: str) -> tuple[float | None, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text[:120]))
    page.on("pageerror", lambda e: errors.append(str(e)[:120]))
    start = time.perf_counter()
    page.goto(path.as_uri())
    try:
        page.wait_for_function(drawn, timeout=20_000)
        elapsed = time.perf_counter() - start
    except Exception:  # never drawn: the errors say why
        elapsed = None
    page.close()
    return elapsed, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for data_name, data in (("bundled data", bundled_data()), ("1M-triple shape", scale_data())):
            for library, make in MAKERS.items():
                made = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    html = make(*data)
                    made.append(time.perf_counter() - start)
                path = Path(folder) / f"{library.split()[0]}-{data_name.split()[0]}.html"
                path.write_text(html, encoding="utf-8")
                opened = [open_time(browser, path, DRAWN[library]) for _ in range(args.runs)]
                times = [t for t, _ in opened if t is not None]
                errors = sorted({e for _, found in opened for e in found})
                rows.append((data_name, library, statistics.median(made), len(html.encode()),
                             statistics.median(times) if times else None, errors))
        browser.close()
    print("| data | library | page made in Python | page size | drawn in Chromium | browser errors |")
    print("|---|---|---:|---:|---:|---|")
    for data_name, library, made, size, drawn, errors in rows:
        shown = f"{drawn:.2f} s" if drawn is not None else "never"
        print(f"| {data_name} | {library} | {made:.2f} s | {size / 1e3:,.0f} kB | {shown} | "
              f"{'; '.join(errors) or 'none'} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
