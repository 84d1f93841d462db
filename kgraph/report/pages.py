"""The report's pages: a brief per actor or Central Asian state, the comparison of the
field's three models, and the network-wide charts, each one self-contained HTML page.

Each page function assembles plain data from a :class:`~kgraph.report.context.ReportContext`
(what the graph says, with the quotes behind it), draws its charts
(:mod:`kgraph.report.charts`) and renders a Jinja2 template with every text escaped. Pages
work from ``file://`` with no network: styles are inlined, charts are inline SVG, there is
no script, and a Content-Security-Policy forbids every request.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..choices import DEFAULT_EPISTEMIC_STATUS, EPISTEMIC_STATUSES
from ..viz import EDGE_GROUPS, NODE_STYLES, OTHER_EDGE_STYLE, OTHER_NODE_STYLE, style_kind
from ..words import Words
from . import charts
from .charts import Name
from .context import ReportContext
from .explain import centrality_measures, indicator_measures

TEMPLATES = Path(__file__).parent / "templates"
#: Rows a table of a page lists at most; the rest are counted, with the command that lists them.
MAX_ROWS = 200
#: Neighbours the ego chart draws at most, the most central first.
MAX_NEIGHBOURS = 24
#: External actors a Central Asian state's charts draw one by one, those with the most
#: instruments first; the others share one row (one series over time, its legend within
#: the figure and each series in a colour of its own). At a million triples 193 actors
#: reach each state: a row each made the heatmap 55 inches tall and the legend of the
#: chart over time taller than its figure.
MAX_CHART_ACTORS = 12
#: Names a bar's or cell's hover text lists at most on a brief, in alphabetical order.
MAX_HOVER_NAMES = 12
#: Bars of a ranking chart.
MAX_RANKED = 15
#: The channel a chart counts a relation in when the relation names none.
UNSPECIFIED = "unspecified"
#: The row of a state's charts that stands for the actors past ``MAX_CHART_ACTORS`` (no entity id
#: has parentheses).
OTHERS = "(others)"


@dataclass
class Links:
    """Where a page of the site finds the others, relative to itself; ``None`` for a page
    written alone (``kgraph brief``), which then links nowhere."""

    index: str = "index.html"
    graph: str | None = "graph.html"
    briefs: dict[str, str] = field(default_factory=dict)
    comparison: str | None = None
    charts: str | None = None

    def brief(self, node: str) -> str | None:
        return self.briefs.get(node)


@dataclass
class Page:
    """A rendered page and its title."""

    title: str
    html: str


@functools.cache
def _environment():
    """One environment for every page: it keeps the templates it compiled (a site renders a
    hundred pages from the same three)."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    environment.filters["number"] = lambda v: f"{v:,}" if isinstance(v, int) else f"{v:,.2f}" if isinstance(v, float) else v
    return environment


def render(template: str, context: ReportContext, links: Links | None, **values) -> str:
    from markupsafe import Markup

    words = Words(context.lang)
    style = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    return _environment().get_template(template).render(
        words=words, lang=context.lang, links=links, style=style, Markup=Markup,
        until=context.until, statuses=context.statuses, all_statuses=len(context.statuses) == len(EPISTEMIC_STATUSES),
        status_name=lambda s: context.concept(s),
        status_names=", ".join(context.concept(s)[0] for s in context.statuses), **values)


# --- pieces every brief has -------------------------------------------------------------------

def name(context: ReportContext, node: str) -> Name:
    return Name(context.label(node), context.untranslated(node))


def concept_name(context: ReportContext, concept: str) -> Name:
    text, untranslated = context.concept(concept)
    return Name(text, untranslated)


def facts_section(context: ReportContext, facts: list[str]) -> dict:
    """Every fact with its kind, status, note and quotes, at most ``MAX_ROWS``."""
    rows = []
    shown = facts[:MAX_ROWS]
    context.prepare(names=[f for f in shown if not context.evidence.labels.get(f)], evidence=shown)
    for fact in shown:
        rows.append({
            "id": fact, "label": context.evidence.labels.get(fact) or context.label(fact),
            "kind": context.evidence.kinds.get(fact, ""), "status": context.status(fact),
            "status_name": context.concept(context.status(fact)), "note": context.evidence.notes.get(fact),
            "quotes": [{"title": context.evidence.titles.get(source, source), "source": source, "quote": quote}
                       for source, quote in context.evidence.quotes.get(fact, [])]})
    statuses = Counter(context.status(f) for f in facts)
    return {"rows": rows, "total": len(facts), "statuses": dict(statuses),
            "command": "kgraph query fact-sources --param fact=ID"}


def ego_section(context: ReportContext, node: str) -> charts.Chart:
    """The entity and its neighbours, the most central first, with the relation of each."""
    network = context.network
    links = defaultdict(list)
    for u, v, data in list(network.out_edges(node, data=True)) + list(network.in_edges(node, data=True)):
        other = v if u == node else u
        if other != node:
            links[other].append(data)
    pagerank = {n: context.centrality_row(n)["pagerank"] for n in links}
    ordered = sorted(links, key=lambda n: (-pagerank[n], n))
    shown = ordered[:MAX_NEIGHBOURS]
    context.prepare(evidence={str(d.get("record") or other) for other in shown for d in links[other]})
    neighbours = []
    for other in shown:
        data = links[other]
        relation = data[0].get("relation", "")
        colour = NODE_STYLES.get(style_kind(network.nodes[other]), OTHER_NODE_STYLE)[0]
        edge_colour = EDGE_GROUPS.get(relation, OTHER_EDGE_STYLE)[1]
        dashed = any(context.status(str(d.get("record") or other)) != DEFAULT_EPISTEMIC_STATUS for d in data)
        relations = ", ".join(sorted({str(d.get("relation", "")) for d in data}))
        detail = f"{context.label(other)} ({network.nodes[other].get('class', '')}): {relations}"
        neighbours.append((other, name(context, other), colour, edge_colour, dashed, detail))
    words = Words(context.lang)
    return charts.ego_chart(context.label(node), neighbours, title=words("report.ego"),
                            salt=f"ego-{node}", more=len(ordered) - len(shown))


def timeline_section(context: ReportContext, nodes: set[str], title: str, salt: str) -> dict:
    """The dated facts involving these entities: a dot per fact (or bars by year when there
    are many), and the list."""
    facts = [f for f in context.dated_facts_of(nodes) if context.shows(f.fact)]
    if not facts:
        return {"chart": None, "rows": []}
    _prepare_labels(context, [f.fact for f in (facts if len(facts) <= 40 else facts[:MAX_ROWS])])
    kinds = sorted({f.kind for f in facts})
    if len(facts) <= 40:
        points = [(f.year, kinds.index(f.kind), _short(context.evidence.labels.get(f.fact) or context.label(f.fact)),
                   f"{f.year}, {f.kind}: {context.evidence.labels.get(f.fact) or context.label(f.fact)}") for f in facts]
        chart = charts.dot_timeline(kinds, points, title=title, salt=salt)
    else:
        years = list(range(min(f.year for f in facts), max(f.year for f in facts) + 1))
        tally = Counter((f.kind, f.year) for f in facts)
        chart = charts.stacked_bars(year_labels(years), [Name(k) for k in kinds],
                                    [[tally[(k, y)] for y in years] for k in kinds], title=title,
                                    ylabel="facts", salt=salt)
    rows = [{"year": f.year, "kind": f.kind, "fact": f.fact,
             "label": context.evidence.labels.get(f.fact) or context.label(f.fact),
             "channels": [concept_name(context, c) for c in f.channels], "status": context.status(f.fact)}
            for f in facts[:MAX_ROWS]]
    return {"chart": chart, "rows": rows, "total": len(facts)}


def _prepare_labels(context: ReportContext, facts: list[str]) -> None:
    """Read at once the labels of these facts, by their quotes' records or else their names."""
    context.prepare(evidence=facts)
    context.prepare(names=[f for f in facts if not context.evidence.labels.get(f)])


def year_labels(years: list[int]) -> list[str]:
    """Every year as a label up to 20 years, else every fifth."""
    return [str(y) if len(years) < 20 or y % 5 == 0 else "" for y in years]


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _channel_counts(relations) -> dict[str, set]:
    """Channel -> the distinct instruments of these relations in it."""
    found = defaultdict(set)
    for relation in relations:
        for channel in relation.channels or {UNSPECIFIED}:
            found[channel].add(relation.instrument)
    return found


def portfolio_chart(context: ReportContext, relations, title: str, salt: str) -> charts.Chart | None:
    counts = _channel_counts(relations)
    if not counts:
        return None
    context.prepare(names={i for instruments in counts.values() for i in instruments})
    ordered = sorted(counts, key=lambda c: (-len(counts[c]), c))
    details = [f"{context.concept(c)[0]}: " + ", ".join(sorted(context.label(i) for i in counts[c])[:MAX_HOVER_NAMES])
               for c in ordered]
    return charts.bar_chart([concept_name(context, c) for c in ordered], [len(counts[c]) for c in ordered],
                            title=title, xlabel="distinct instruments", salt=salt, details=details)


def _header(context: ReportContext, node: str) -> dict:
    attributes = context.attributes(node)
    other_names = [attributes[k] for k in ("label", "label_kk", "label_ru")
                   if attributes.get(k) and attributes[k] != context.label(node)]
    words = Words(context.lang)
    kind = str(attributes.get("class", ""))
    return {"id": node, "name": context.label(node), "untranslated": context.untranslated(node),
            "class": words(f"class.{kind}") if f"class.{kind}" in words.table else kind, "other_names": other_names,
            "status": context.status(node), "note": context.evidence.notes.get(node)}


# --- briefs --------------------------------------------------------------------------------------

def brief_page(context: ReportContext, wanted: str, links: Links | None = None) -> Page:
    """The brief of one entity: a Central Asian state's (who reaches it, over time, and its
    own outward diplomacy) or any other actor's (its channels, reach, instruments, timeline)."""
    node = context.find(wanted)
    words = Words(context.lang)
    header = _header(context, node)
    title = words("report.brief-of", name=header["name"])
    measures = centrality_measures(context, node) + indicator_measures(context, node)
    sections = state_sections(context, node) if context.is_central_asian(node) else actor_sections(context, node)
    facts = facts_section(context, context.facts_about(node, sections.pop("instrument_ids")))
    disagreements = context.disagreements_about({node} | sections.pop("subjects"))
    html = render("brief.html.j2", context, links, title=title, entity=header, measures=measures,
                  ego=ego_section(context, node), facts=facts, disagreements=disagreements,
                  central_asian=context.is_central_asian(node), max_rows=MAX_ROWS, **sections)
    return Page(title, html)


def actor_sections(context: ReportContext, node: str) -> dict:
    """Channels, reach, instruments and timeline of an external actor (or any entity)."""
    words = Words(context.lang)
    given = context.relations_from(node)
    into_central_asia = [r for r in given if context.is_central_asian(r.receiver)]
    states = defaultdict(lambda: {"instruments": set(), "channels": set()})
    for relation in given:
        states[relation.receiver]["instruments"].add(relation.instrument)
        states[relation.receiver]["channels"] |= relation.channels
    reach = [{"node": s, "name": name(context, s), "central_asian": context.is_central_asian(s),
              "instruments": len(v["instruments"]),
              "channels": [concept_name(context, c) for c in sorted(v["channels"])]}
             for s, v in sorted(states.items(), key=lambda item: (-len(item[1]["instruments"]), item[0]))]
    # Drawn before the instruments are asked for: a store reads them meanwhile, in a thread.
    portfolio = portfolio_chart(context, into_central_asia, words("report.portfolio"), f"portfolio-{node}")
    instruments = context.instruments(node)
    audiences = Counter(a.strip() for row in instruments for a in str(row.get("audiences") or "").split(",") if a.strip())
    instrument_ids = {row["id"] for row in instruments} | {r.instrument for r in given}
    context.prepare(evidence=[row["id"] for row in instruments[:MAX_ROWS]])
    return {
        "portfolio": portfolio, "reach": reach, "audiences": sorted(audiences.items(), key=lambda item: (-item[1], item[0])),
        "instruments": [dict(row, status=context.status(row["id"])) for row in instruments[:MAX_ROWS]],
        "instrument_total": len(instruments),
        "timeline": timeline_section(context, {node} | instrument_ids, words("report.timeline"), f"timeline-{node}"),
        "instrument_ids": instrument_ids, "subjects": instrument_ids,
        "lead": words("report.lead-actor", name=context.label(node),
                      states=words("report.n-central-asian-states", count=sum(1 for r in reach if r["central_asian"])),
                      others=_others(words, sum(1 for r in reach if not r["central_asian"])),
                      instruments=words("report.n-distinct-instruments",
                                        count=len({r.instrument for r in into_central_asia})),
                      own=words("report.n-instruments", count=len(instruments))),
    }


def _others(words: Words, count: int) -> str:
    return words("report.n-other-states", count=count) if count else ""


def state_sections(context: ReportContext, node: str) -> dict:
    """Who reaches a Central Asian state through which channel, over time, and what it
    gives itself (a beneficiary that is also a benefactor)."""
    words = Words(context.lang)
    incoming = [r for r in context.relations_to(node) if not context.is_central_asian(r.provider)]
    context.prepare(names={r.instrument for r in incoming} | {r.instrument for r in context.relations_from(node)})
    actors = sorted({r.provider for r in incoming},
                    key=lambda a: (-len({r.instrument for r in incoming if r.provider == a}), a))
    channels = sorted({c for r in incoming for c in (r.channels or {UNSPECIFIED})})
    # The actors drawn one by one, then the others as one row.
    drawn = actors[:MAX_CHART_ACTORS]
    others = len(actors) - len(drawn)
    rows = drawn + [OTHERS] * bool(others)
    row_names = [name(context, a) for a in drawn] + [Name(words("report.other-actors", count=others))] * bool(others)

    def row_of(provider: str) -> str:
        return provider if provider in drawn else OTHERS

    cells = defaultdict(set)
    for relation in incoming:
        for channel in relation.channels or {UNSPECIFIED}:
            cells[(row_of(relation.provider), channel)].add(relation.instrument)
    heatmap = None
    if incoming:
        heatmap = charts.heatmap(
            row_names, [concept_name(context, c) for c in channels],
            [[len(cells[(a, c)]) for c in channels] for a in rows], title=words("report.incoming"),
            salt=f"incoming-{node}",
            details=[[f"{n.text}, {context.concept(c)[0]}: " + ", ".join(sorted(context.label(i) for i in cells[(a, c)])[:MAX_HOVER_NAMES])
                      for c in channels] for a, n in zip(rows, row_names)],
            note="cells count distinct instruments")
    begun = Counter((row_of(r.provider), r.year) for r in incoming if r.year is not None)
    over_time = None
    if begun:
        years = list(range(min(year for _, year in begun), max(year for _, year in begun) + 1))
        over_time = charts.stacked_bars(
            year_labels(years), row_names, [[begun[(a, y)] for y in years] for a in rows],
            title=words("report.incoming-time"), ylabel="relations begun", salt=f"incoming-time-{node}")
    outward = context.relations_from(node)
    given = [{"receiver": name(context, r.receiver), "instrument": name(context, r.instrument),
              "instrument_id": r.instrument, "channels": [concept_name(context, c) for c in sorted(r.channels)],
              "year": r.year} for r in sorted(outward, key=lambda r: (r.receiver, r.instrument))]
    multivector = context.indicator_rows("multivector", "state").get(node)
    partners = None
    if multivector and multivector["partner_counts"]:
        pairs = [p.rsplit(":", 1) for p in multivector["partner_counts"].split(";") if p]
        partners = charts.bar_chart([name(context, p) for p, _ in pairs], [int(n) for _, n in pairs],
                                    title=words("report.partners"), xlabel="engagements", salt=f"partners-{node}")
    balance = [row for row in context.measures.indicators["benefactor-balance"]
               if row["state"] == node and row["scope"] == "year"]
    instrument_ids = {r.instrument for r in incoming} | {r.instrument for r in outward}
    return {
        "incoming": heatmap, "incoming_time": over_time,
        "outward": given[:MAX_ROWS], "outward_total": len(given),
        "outward_portfolio": portfolio_chart(context, outward, words("report.outward"), f"outward-{node}"),
        "partners": partners, "balance_by_year": balance,
        "timeline": timeline_section(context, {node}, words("report.timeline"), f"timeline-{node}"),
        "instrument_ids": {node} | {r.instrument for r in outward}, "subjects": instrument_ids,
        "lead": words("report.lead-state", name=context.label(node),
                      actors=words("report.n-external-actors", count=len(actors)),
                      instruments=words("report.n-distinct-instruments",
                                        count=len({r.instrument for r in incoming})),
                      relations=words("report.n-relations", count=len(given))),
    }


# --- the comparison ---------------------------------------------------------------------------------

#: Quotes shown under one cell of the comparison, at most.
CELL_QUOTES = 3


def comparison_page(context: ReportContext, wanted: list[str], links: Links | None = None) -> Page:
    """The side-by-side comparison the field uses (Ustemirova, Tables 1 and 2): narrative,
    instruments, channels, audiences, strengths and constraints of each actor, from the
    graph, with the quotes behind each cell; their portfolios on one chart and their
    indicators in one table."""
    actors = [context.find(w) for w in wanted]
    words = Words(context.lang)
    columns = [comparison_column(context, actor) for actor in actors]
    title = words("report.comparison-of", names=", ".join(context.label(a) for a in actors))
    channel_sets = {a: _channel_counts([r for r in context.relations_from(a) if context.is_central_asian(r.receiver)])
                    for a in actors}
    used = sorted({c for counts in channel_sets.values() for c in counts},
                  key=lambda c: (-sum(len(channel_sets[a].get(c, ())) for a in actors), c))
    chart = None
    if used:
        chart = charts.grouped_bars([concept_name(context, c) for c in used], [name(context, a) for a in actors],
                                    [[len(channel_sets[a].get(c, ())) for c in used] for a in actors],
                                    title=words("report.portfolio"), xlabel="distinct instruments",
                                    salt="comparison-portfolio")
    indicators = {}
    for actor in actors:
        for measure in centrality_measures(context, actor) + indicator_measures(context, actor):
            indicators.setdefault((measure.key, measure.name), {})[actor] = measure
    table = [{"name": key[1], "cells": [found.get(a) for a in actors]} for key, found in indicators.items()
             if key[0] not in ("community", "degree")]
    html = render("compare.html.j2", context, links, title=title, actors=[_header(context, a) for a in actors],
                  columns=columns, rows=COMPARISON_ROWS, chart=chart, indicators=table)
    return Page(title, html)


#: The rows of the comparison: the dimensions of Ustemirova's Table 1 and the columns of Table 2.
COMPARISON_ROWS = ("narrative", "instruments", "channels", "audiences", "strengths", "constraints")


def comparison_column(context: ReportContext, actor: str) -> dict:
    """One actor's cells: each a list of items and the quotes behind them."""
    models = context.models_of(actor)
    model_quotes = _quotes(context, [m["id"] for m in models])
    narratives = sorted({m["narrative"] for m in models if m.get("narrative")})
    narrative_facts = context.facts_labelled(narratives, "narrative")
    instruments = context.instruments(actor)
    by_audience = defaultdict(list)
    for row in instruments:
        for audience in str(row.get("audiences") or "").split(";"):
            if audience.strip():
                by_audience[audience.strip()].append(row)
    relations = [r for r in context.relations_from(actor) if context.is_central_asian(r.receiver)]
    counts = _channel_counts(relations)
    model_channels = sorted({c.strip() for m in models for c in str(m.get("channels") or "").split(";") if c.strip()})
    return {
        "actor": actor, "models": [m["id"] for m in models],
        "narrative": {"items": narratives, "quotes": _quotes(context, narrative_facts) or model_quotes},
        "instruments": {"items": _split(models, "instruments", "; "),
                        "extra": f"{len(instruments)} instruments in the graph (actor-instruments)",
                        "quotes": model_quotes},
        "channels": {"items": [f"{context.concept(c)[0]} ({len(counts[c])})"
                               for c in sorted(counts, key=lambda c: (-len(counts[c]), c))],
                     "extra": ("Named by its model: " + ", ".join(model_channels)) if model_channels else "",
                     "quotes": _quotes(context, sorted({r.instrument for r in relations}))},
        "audiences": {"items": [f"{a} ({len(rows)})" for a, rows in sorted(by_audience.items(), key=lambda i: (-len(i[1]), i[0]))],
                      "quotes": [q for a in sorted(by_audience) for q in _row_quotes(by_audience[a][:1])][:CELL_QUOTES]},
        "strengths": {"items": _numbered(models, "strengths"), "quotes": model_quotes},
        "constraints": {"items": _numbered(models, "constraints"), "quotes": model_quotes},
    }


def _numbered(models: list[dict], column: str) -> list[str]:
    """The items of a list the query numbers in the source's order ("1. ... | 2. ..."), in
    that order, without their numbers: the page lists them."""
    return [re.sub(r"^\d+\.\s+", "", item) for item in _split(models, column, " | ")]


def _split(models: list[dict], column: str, separator: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for m in models for part in str(m.get(column) or "").split(separator)
                              if part.strip()))


def _quotes(context: ReportContext, facts: list[str]) -> list[dict]:
    found = []
    for fact in facts:
        if len(found) >= CELL_QUOTES:
            break
        for source, quote in context.evidence.quotes.get(fact, []):
            if quote and context.shows(fact):
                found.append({"title": context.evidence.titles.get(source, source), "quote": quote,
                              "status": context.status(fact)})
    return found[:CELL_QUOTES]


def _row_quotes(rows: list[dict]) -> list[dict]:
    return [{"title": row.get("source") or "", "quote": row["quote"], "status": DEFAULT_EPISTEMIC_STATUS} for row in rows if row.get("quote")]


# --- network-wide charts ------------------------------------------------------------------------------

def network_charts(context: ReportContext, max_actors: int | None = None) -> dict[str, charts.Chart]:
    """The actor x channel heatmap, the timeline of dated facts by year and channel, and the
    rankings by indicator."""
    words = Words(context.lang)
    portfolio = context.measures.indicators["channel-portfolio"]
    if max_actors:
        portfolio = portfolio[:max_actors]
    found = {}
    if portfolio:
        columns = [c for c in portfolio[0] if c not in ("actor", "label", "instruments", "channels")]
        columns = [c for c in columns if any(row[c] for row in portfolio)]
        cells = defaultdict(set)
        for relation in context.relations:
            if relation.provider in {r["actor"] for r in portfolio} and context.is_central_asian(relation.receiver):
                for channel in relation.channels or {UNSPECIFIED}:
                    cells[(relation.provider, channel)].add(relation.instrument)
        found["heatmap"] = charts.heatmap(
            [name(context, row["actor"]) for row in portfolio], [concept_name(context, c) for c in columns],
            [[row[c] for c in columns] for row in portfolio], title=words("report.heatmap"), salt="heatmap",
            details=[[f"{context.label(row['actor'])}, {context.concept(c)[0]}: {row[c]}: "
                      + ", ".join(sorted(context.label(i) for i in cells[(row['actor'], c)])[:10]) for c in columns]
                     for row in portfolio],
            note="cells count distinct instruments of soft-power relations into Central Asia")
    dated = [f for f in context.dated_facts if context.shows(f.fact)]
    if dated:
        years = list(range(min(f.year for f in dated), max(f.year for f in dated) + 1))
        channels = sorted({c for f in dated for c in (f.channels or (UNSPECIFIED,))},
                          key=lambda c: (c == UNSPECIFIED, c))
        counts = {(c, y): 0 for c in channels for y in years}
        for fact in dated:
            for channel in fact.channels or (UNSPECIFIED,):
                counts[(channel, fact.year)] += 1
        found["timeline"] = charts.stacked_bars(
            year_labels(years),
            [concept_name(context, c) for c in channels],
            [[counts[(c, y)] for y in years] for c in channels], title=words("report.timeline-all"),
            ylabel="dated facts (a fact in two channels counts in both)", salt="timeline")
    found.update(rankings(context))
    return found


def rankings(context: ReportContext) -> dict[str, charts.Chart]:
    """One bar chart per indicator and per main centrality, the top ``MAX_RANKED``."""
    indicators = context.measures.indicators
    specs = [
        ("rank-instruments", "Instruments in Central Asia (channel portfolio)",
         [(r["actor"], r["instruments"]) for r in indicators["channel-portfolio"]], "distinct instruments"),
        ("rank-benefactor", "Soft-power relations given (benefactor balance)",
         [(r["state"], r["outgoing"]) for r in indicators["benefactor-balance"] if r["scope"] == "overall"],
         "relations given"),
        ("rank-multivector", "Multi-vector diversification (1 − HHI)",
         [(r["state"], round(r["diversification"] or 0, 3)) for r in indicators["multivector"]], "diversification"),
        ("rank-brokerage", "Brokerage: betweenness on the actor network",
         [(r["id"], round(r["betweenness"], 4)) for r in indicators["brokerage"]], "betweenness"),
        ("rank-pagerank", "PageRank over the whole network",
         [(n, round(v, 4)) for n, v in context.ranking("pagerank")], "PageRank"),
    ]
    found = {}
    for key, title, pairs, xlabel in specs:
        ranked = sorted(pairs, key=lambda p: (-p[1], p[0]))[:MAX_RANKED]
        if ranked:
            found[key] = charts.bar_chart([name(context, n) for n, _ in ranked], [v for _, v in ranked],
                                          title=title, xlabel=xlabel, salt=key)
    return found


def charts_page(context: ReportContext, links: Links | None = None, max_actors: int | None = None,
                figures: dict | None = None) -> Page:
    """The network-wide charts on one page (``figures`` when the caller has drawn them)."""
    words = Words(context.lang)
    title = words("report.charts")
    figures = figures if figures is not None else network_charts(context, max_actors)
    html = render("charts.html.j2", context, links, title=title, charts=figures, max_actors=max_actors,
                  actors=len(context.measures.indicators["channel-portfolio"]))
    return Page(title, html)
