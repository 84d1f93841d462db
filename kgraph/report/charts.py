"""Charts as static SVG drawn by matplotlib, inlined in the pages.

Why matplotlib (``docs/report.md`` has the measurements): the charts a researcher puts in a
paper must print without being cut and open anywhere, offline, at once. matplotlib writes
SVG that needs no script (the pages keep a Content-Security-Policy that forbids every
request), weighs a few kilobytes per chart where Plotly's inlined library weighs megabytes,
and draws the same bytes for the same data (fixed ``svg.hashsalt``, no date). Text stays
text (``svg.fonttype: none``), escaped by matplotlib's XML writer, so a label such as
``<script>`` shows as written; hovering a bar or a cell gives its details through SVG
``<title>`` elements added here.

Every function returns an :class:`Chart`: the SVG markup and its alternative text.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
#: Width of every chart, in inches: the text column of an A4 page.
WIDTH = 7.2
#: Colours of series (channels, actors), in order: matplotlib's tab20, fixed.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")
STYLE = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 8.5,
         "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10,
         "axes.titleweight": "bold", "axes.titlelocation": "left"}

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


@dataclass(frozen=True)
class Chart:
    """An SVG chart ready to inline, with the text a screen reader gets instead."""

    svg: str
    alt: str


@dataclass(frozen=True)
class Name:
    """A label on a chart, and whether it shows in English for want of a translation
    (drawn in italics)."""

    text: str
    untranslated: bool = False


def _figure(height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height), layout="constrained")


def render(figure, salt: str, titles: dict[str, str], alt: str) -> Chart:
    """The figure as SVG: deterministic ids from ``salt``, no date, fluid width, and a
    ``<title>`` (the hover text) in every element whose gid ``titles`` names."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    root = ET.fromstring(buffer.getvalue())
    for element in root.iter(f"{{{SVG_NS}}}g"):
        text = titles.get(element.get("id", ""))
        if text:
            title = ET.Element(f"{{{SVG_NS}}}title")
            title.text = text
            element.insert(0, title)
    root.set("role", "img")
    root.set("aria-label", alt)
    root.set("width", "100%")
    root.attrib.pop("height", None)
    svg = ET.tostring(root, encoding="unicode")
    return Chart(re.sub(r"\n\s*", "\n", svg), alt)


def _names_on(axis_labels, names: list[Name]) -> None:
    for label, name in zip(axis_labels, names):
        if name.untranslated:
            label.set_fontstyle("italic")


def _draw(height: float, salt: str, draw) -> "tuple":
    import matplotlib

    with matplotlib.rc_context({**STYLE, "svg.hashsalt": salt}):
        figure = _figure(height)
        titles = draw(figure)
    return figure, titles


def bar_chart(names: list[Name], values: list[float], *, title: str, xlabel: str, salt: str,
              details: list[str] | None = None, colour: str = PALETTE[0]) -> Chart:
    """Horizontal bars, largest first as given, each with its value written at its end."""
    def draw(figure):
        axes = figure.add_subplot()
        positions = list(range(len(names)))[::-1]
        bars = axes.barh(positions, values, color=colour)
        titles = {}
        for index, (bar, value) in enumerate(zip(bars, values)):
            bar.set_gid(f"{salt}-bar-{index}")
            titles[f"{salt}-bar-{index}"] = (details[index] if details else f"{names[index].text}: {value:g}")
            axes.annotate(f"{value:g}", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                          xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        axes.set_yticks(positions, [n.text for n in names])
        _names_on(axes.get_yticklabels(), names)
        axes.set_xlabel(xlabel)
        if all(float(v).is_integer() for v in values):
            axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_title(title)
        axes.margins(x=0.12)
        return titles

    figure, titles = _draw(max(1.4, 0.6 + 0.24 * len(names)), salt, draw)
    alt = f"{title}: " + "; ".join(f"{n.text} {v:g}" for n, v in zip(names, values))
    return render(figure, salt, titles, alt)


def heatmap(rows: list[Name], columns: list[Name], counts: list[list[int]], *, title: str, salt: str,
            details: list[list[str]] | None = None, note: str = "") -> Chart:
    """A matrix of counts: rows (actors) by columns (channels), darker for more, every
    non-empty cell with its count written in it and its details on hover."""
    def draw(figure):
        from matplotlib.patches import Rectangle

        axes = figure.add_subplot()
        top = max((max(row) for row in counts if row), default=0) or 1
        titles = {}
        # One grey ground for the empty cells; a patch only for each cell with a count.
        axes.add_patch(Rectangle((0, 0), len(columns), len(rows), facecolor="#f4f6f6", edgecolor="none"))
        for r, row in enumerate(counts):
            for c, count in enumerate(row):
                if not count:
                    continue
                shade = 0.12 + 0.88 * count / top
                cell = Rectangle((c, r), 1, 1, facecolor=_blue(shade), edgecolor="#ffffff", linewidth=1.2)
                axes.add_patch(cell)
                gid = f"{salt}-cell-{r}-{c}"
                cell.set_gid(gid)
                titles[gid] = details[r][c] if details else f"{rows[r].text}, {columns[c].text}: {count}"
                axes.text(c + 0.5, r + 0.5, str(count), ha="center", va="center", fontsize=7.5,
                          color="#ffffff" if shade > 0.55 else "#17202a")
        for c in range(1, len(columns)):
            axes.axvline(c, color="#ffffff", linewidth=1.2)
        for r in range(1, len(rows)):
            axes.axhline(r, color="#ffffff", linewidth=1.2)
        axes.set_xlim(0, len(columns))
        axes.set_ylim(len(rows), 0)
        axes.set_xticks([c + 0.5 for c in range(len(columns))], [n.text for n in columns],
                        rotation=40, ha="right", rotation_mode="anchor")
        axes.set_yticks([r + 0.5 for r in range(len(rows))], [n.text for n in rows])
        _names_on(axes.get_xticklabels(), columns)
        _names_on(axes.get_yticklabels(), rows)
        axes.tick_params(length=0)
        for side in ("left", "bottom"):
            axes.spines[side].set_visible(False)
        axes.set_title(title)
        if note:
            figure.supxlabel(note, fontsize=7.5, color="#566573")
        return titles

    longest = max((len(n.text) for n in columns), default=4)
    figure, titles = _draw(1.4 + 0.28 * len(rows) + 0.055 * longest, salt, draw)
    cells = sum(1 for row in counts for n in row if n)
    alt = f"{title}: {len(rows)} rows by {len(columns)} columns, {cells} cells with a count"
    return render(figure, salt, titles, alt)


def _blue(shade: float) -> str:
    """White to dark blue, 0 to 1."""
    low, high = (0xea, 0xf2, 0xf8), (0x15, 0x43, 0x60)
    return "#" + "".join(f"{round(a + (b - a) * shade):02x}" for a, b in zip(low, high))


def stacked_bars(categories: list[str], series: list[Name], values: list[list[int]], *, title: str,
                 ylabel: str, salt: str, details: list[str] | None = None) -> Chart:
    """Vertical bars per category (years), stacked by series (channels), with a legend."""
    def draw(figure):
        from matplotlib.collections import PolyCollection

        axes = figure.add_subplot()
        bottoms = [0] * len(categories)
        titles = {}
        for s, (name, row) in enumerate(zip(series, values)):
            # One collection per series: a patch per bar costs seconds at a thousand bars.
            boxes = [[(c - 0.4, b), (c + 0.4, b), (c + 0.4, b + v), (c - 0.4, b + v)]
                     for c, (b, v) in enumerate(zip(bottoms, row)) if v]
            collection = PolyCollection(boxes, facecolors=PALETTE[s % len(PALETTE)], edgecolors="none",
                                        label=name.text)
            axes.add_collection(collection)
            gid = f"{salt}-series-{s}"
            collection.set_gid(gid)
            titles[gid] = details[s] if details else f"{name.text}: " + ", ".join(
                f"{categories[c] or c} {v}" for c, v in enumerate(row) if v)
            bottoms = [b + v for b, v in zip(bottoms, row)]
        axes.set_xlim(-0.6, len(categories) - 0.4)
        axes.set_ylim(0, max(bottoms, default=0) * 1.05 or 1)
        # Only the labelled categories get a tick: a text per year costs time at 66 years.
        labelled = [(i, c) for i, c in enumerate(categories) if c]
        axes.set_xticks([i for i, _ in labelled], [c for _, c in labelled],
                        rotation=0 if len(labelled) < 14 else 60)
        axes.set_ylabel(ylabel)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_title(title)
        if series:
            legend = axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7.5)
            _names_on(legend.get_texts(), series)
        return titles

    figure, titles = _draw(2.6 + 0.02 * len(series), salt, draw)
    alt = f"{title}: " + "; ".join(f"{c} {sum(v[i] for v in values)}" for i, c in enumerate(categories))
    return render(figure, salt, titles, alt)


def grouped_bars(groups: list[Name], series: list[Name], values: list[list[int]], *, title: str,
                 xlabel: str, salt: str) -> Chart:
    """Horizontal bars per group (channels), one bar per series (actors) side by side."""
    def draw(figure):
        axes = figure.add_subplot()
        height = 0.8 / max(1, len(series))
        titles = {}
        for s, (name, row) in enumerate(zip(series, values)):
            positions = [len(groups) - 1 - g + 0.4 - height * (s + 0.5) for g in range(len(groups))]
            bars = axes.barh(positions, row, height=height, color=PALETTE[s % len(PALETTE)], label=name.text)
            for g, bar in enumerate(bars):
                gid = f"{salt}-bar-{s}-{g}"
                bar.set_gid(gid)
                titles[gid] = f"{name.text}, {groups[g].text}: {row[g]}"
        axes.set_yticks([len(groups) - 1 - g for g in range(len(groups))], [n.text for n in groups])
        _names_on(axes.get_yticklabels(), groups)
        axes.set_xlabel(xlabel)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_title(title)
        legend = axes.legend(loc="lower right", frameon=False)
        _names_on(legend.get_texts(), series)
        return titles

    figure, titles = _draw(1.0 + 0.2 * len(groups) * max(1, len(series)) ** 0.6, salt, draw)
    alt = f"{title}: " + "; ".join(f"{s.text} " + ", ".join(f"{g.text} {v}" for g, v in zip(groups, row) if v)
                                  for s, row in zip(series, values))
    return render(figure, salt, titles, alt)


def dot_timeline(rows: list[str], points: list[tuple[int, int, str, str]], *, title: str, salt: str) -> Chart:
    """Dated facts as dots on a time axis, one line per kind of fact: ``points`` are
    (year, row index, short label, hover text); several in one year and row stack up."""
    def draw(figure):
        axes = figure.add_subplot()
        seen: dict[tuple, int] = {}
        titles = {}
        for index, (year, row, label, detail) in enumerate(sorted(points)):
            level = seen.get((year, row), 0)
            seen[(year, row)] = level + 1
            y = row + 0.22 * level
            dot = axes.scatter([year], [y], s=28, color=PALETTE[row % len(PALETTE)], zorder=3)
            dot.set_gid(f"{salt}-dot-{index}")
            titles[f"{salt}-dot-{index}"] = detail
            axes.annotate(label, (year, y), xytext=(5, 0), textcoords="offset points", va="center",
                          fontsize=7, clip_on=False)
        years = [p[0] for p in points] or [0]
        axes.set_xlim(min(years) - 1, max(years) + 1 + max(1, (max(years) - min(years)) * 0.35))
        axes.set_ylim(len(rows) - 0.4, -0.6)
        axes.set_yticks(range(len(rows)), rows)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="x", color="#e5e8e8", zorder=0)
        axes.set_title(title)
        return titles

    figure, titles = _draw(1.0 + 0.45 * max(1, len(rows)) + 0.05 * len(points), salt, draw)
    alt = f"{title}: {len(points)} dated facts from {min(p[0] for p in points)} to {max(p[0] for p in points)}" \
        if points else title
    return render(figure, salt, titles, alt)


def ego_chart(centre: str, neighbours: list[tuple[str, Name, str, str, bool, str]], *, title: str,
              salt: str, more: int = 0) -> Chart:
    """An entity and its neighbours on a circle around it: ``neighbours`` are (id, name,
    node colour, edge colour, dashed edge, hover text), the centre first in ``centre``."""
    def draw(figure):
        axes = figure.add_subplot()
        axes.axis("off")
        titles = {}
        count = len(neighbours)
        for index, (node, name, colour, edge_colour, dashed, detail) in enumerate(neighbours):
            angle = math.pi / 2 - 2 * math.pi * index / max(1, count)
            x, y = math.cos(angle), math.sin(angle)
            axes.plot([0, 0.86 * x], [0, 0.86 * y], color=edge_colour, linewidth=1.1,
                      linestyle=(0, (4, 3)) if dashed else "-", zorder=1)
            dot = axes.scatter([x], [y], s=70, color=colour, zorder=3, edgecolors="#17202a", linewidths=0.4)
            dot.set_gid(f"{salt}-node-{index}")
            titles[f"{salt}-node-{index}"] = detail
            side = "left" if x > 0.05 else "right" if x < -0.05 else "center"
            axes.annotate(name.text if len(name.text) <= 40 else name.text[:39] + "\u2026", (x, y), xytext=(8 * (1 if x > 0.05 else -1 if x < -0.05 else 0),
                                                     10 if y >= 0 else -12),
                          textcoords="offset points", ha=side, va="center", fontsize=7.5,
                          fontstyle="italic" if name.untranslated else "normal")
        axes.scatter([0], [0], s=260, color="#17202a", zorder=4)
        axes.annotate(centre, (0, 0), xytext=(0, -17), textcoords="offset points", ha="center",
                      fontsize=9, fontweight="bold", zorder=5)
        axes.set_xlim(-2.4, 2.4)
        axes.set_ylim(-1.2, 1.2)
        axes.set_title(title + (f" (and {more} more)" if more else ""))
        return titles

    figure, titles = _draw(3.6, salt, draw)
    alt = f"{title}: {centre} linked to " + ", ".join(n[1].text for n in neighbours)
    return render(figure, salt, titles, alt)
