"""The static site ``kgraph build`` writes beside the graph: something a research group
could publish as it is.

    build/index.html          the story in numbers, the actor x channel matrix, links to all
    build/graph.html          the network page (written by the viz stage)
    build/compare.html        China, Russia and the United States side by side
    build/charts.html         the network-wide charts
    build/briefs/ID.html      a brief per external actor, per institution that reaches
                              Central Asia through its own instruments, and per Central Asian state
    build/softpower.ttl, centrality.csv, indicators.csv, network.graphml   the downloads

Every page works from ``file://`` with no network. On a large graph the site does not write
a brief for every entity: it writes those of the ``MAX_BRIEFS`` external actors with the
most instruments in Central Asia, of the ``MAX_BRIEFS`` institutions (universities,
companies, organisations, government bodies) with the most instruments of their own there,
and of every Central Asian state, and its index says so (``kgraph brief ID`` writes any other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..files import write_atomic
from .context import ReportContext, gather
from .pages import Links, Page, brief_page, charts_page, comparison_page, name, network_charts

INDEX_FILE = "index.html"
CHARTS_FILE = "charts.html"
COMPARISON_FILE = "compare.html"
BRIEFS_FOLDER = "briefs"
GRAPHML_FILE = "network.graphml"
#: External actors that get a brief on the site, those with the most instruments first.
MAX_BRIEFS = 50
#: The comparison of the field (Ustemirova's Table 2), when the graph has these actors.
COMPARED = ("china", "russia", "united-states")


@dataclass
class SiteResult:
    """The files the site wrote and what the build should tell the user."""

    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def brief_file(node: str) -> str:
    """The brief's file name: the entity id, with anything unsafe in a file name replaced."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", node) + ".html"


def compared_actors(context: ReportContext) -> list[str]:
    """China, Russia and the United States when the graph has them; else the three external
    actors with a soft-power model and the most instruments."""
    if all(actor in context.network for actor in COMPARED):
        return list(COMPARED)
    return [a for a in context.external_actors() if context.models_of(a)][:3]


def write_site(source, out_dir: Path, *, network=None, measures=None, evidence=None, lang: str = "en",
               max_briefs: int = MAX_BRIEFS) -> SiteResult:
    """Write the site into ``out_dir`` from a compiled graph or a store; ``network``,
    ``measures`` and ``evidence`` are reused when the build has them already."""
    from ..netexport import serialize_network

    out_dir = Path(out_dir)
    context = gather(source, network=network, measures=measures, evidence=evidence, lang=lang)
    result = SiteResult()
    actors = context.external_actors()
    chosen = actors[:max_briefs]
    reaching = context.institutions()
    institutions = reaching[:max_briefs]
    states = context.central_asian_states()
    compared = compared_actors(context)
    pages = chosen + [row["institution"] for row in institutions] + states
    briefs = {node: f"{BRIEFS_FOLDER}/{brief_file(node)}" for node in pages}
    top = Links(index=INDEX_FILE, graph="graph.html", briefs=briefs,
                comparison=COMPARISON_FILE if len(compared) > 1 else None, charts=CHARTS_FILE)
    inner = Links(index=f"../{INDEX_FILE}", graph="../graph.html",
                  briefs={node: brief_file(node) for node in briefs},
                  comparison=f"../{COMPARISON_FILE}" if top.comparison else None, charts=f"../{CHARTS_FILE}")

    def write(path: str, page: Page) -> None:
        result.outputs.append(write_atomic(out_dir / path, page.html))

    for node in pages:
        write(briefs[node], brief_page(context, node, inner))
    if top.comparison:
        write(COMPARISON_FILE, comparison_page(context, compared, top))
    figures = network_charts(context, max_actors=max_briefs)
    write(CHARTS_FILE, charts_page(context, top, max_actors=max_briefs, figures=figures))
    result.outputs.append(write_atomic(out_dir / GRAPHML_FILE, serialize_network(context.network, "graphml")))
    write(INDEX_FILE, index_page(context, top, out_dir, figures.get("heatmap"), chosen, states, compared,
                                 len(actors), institutions, len(reaching)))
    for shown, of, what in ((chosen, actors, "external actors"), (institutions, reaching, "institutions")):
        if len(of) > len(shown):
            result.notes.append(f"{INDEX_FILE} links briefs of the {len(shown)} {what} with the most "
                                f"instruments, of {len(of):,}; kgraph brief ID writes any other.")
    return result


#: The downloads the index lists: file, what it holds.
DOWNLOADS = (
    ("softpower.ttl", "The whole graph in Turtle: ontology, facts, sources and quotes."),
    ("centrality.csv", "Every centrality of every entity (docs/network.md)."),
    ("indicators.csv", "The four soft-power indicators in tidy long form (docs/indicators.md)."),
    (GRAPHML_FILE, "The entity network as GraphML, for Gephi, Cytoscape or igraph."),
)


def _size(path: Path) -> str:
    size = path.stat().st_size if path.exists() else 0
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


def index_page(context: ReportContext, links: Links, out_dir: Path, heatmap, chosen: list[str],
               states: list[str], compared: list[str], actor_count: int, institutions: list[dict] = (),
               institution_count: int = 0) -> Page:
    """The landing page: the story in numbers, the matrix, and a card per brief: external
    actors, institutions that act through instruments of their own, Central Asian states."""
    from ..words import Words
    from .pages import render

    words = Words(context.lang)
    portfolio = context.indicator_rows("channel-portfolio", "actor")
    incoming = {s: {r.provider for r in context.relations_to(s) if not context.is_central_asian(r.provider)}
                for s in states}
    given = {s: len(context.relations_from(s)) for s in states}
    reached = {a: {r.receiver for r in context.relations_from(a) if context.is_central_asian(r.receiver)}
               for a in chosen}

    def card(node, instruments: int, channels: int, states: int) -> dict:
        return {"href": links.brief(node), "name": name(context, node), "summary": words(
            "report.card-actor", instruments=words("report.n-instruments", count=instruments),
            channels=words("report.n-channels", count=channels),
            states=words("report.n-central-asian-states", count=states))}

    actor_cards = [card(a, portfolio[a]["instruments"], portfolio[a]["channels"], len(reached[a])) for a in chosen]
    institution_cards = [card(r["institution"], r["instruments"], r["channels"], r["states"]) for r in institutions]
    state_cards = [{"href": links.brief(s), "name": name(context, s), "summary": words(
        "report.card-state", actors=words("report.n-external-actors", count=len(incoming[s])),
        relations=words("report.n-relations", count=given[s]))} for s in states]
    downloads = [{"href": f, "what": what, "size": _size(out_dir / f)} for f, what in DOWNLOADS
                 if (out_dir / f).exists()]
    html = render("index.html.j2", context, links, title=words("report.site-title"), story=story(context),
                  heatmap=heatmap, actor_cards=actor_cards, state_cards=state_cards, downloads=downloads,
                  institution_cards=institution_cards,
                  graph_note=f"All {context.network.number_of_nodes():,} entities and "
                             f"{context.network.number_of_edges():,} links, with search, filters, a year "
                             "slider and the quotes behind every fact.",
                  comparison_note="Narrative, instruments, channels, audiences, strengths and constraints of "
                                  + ", ".join(context.label(a) for a in compared) + ", with the quotes behind each cell.",
                  briefs_note=(f"The {len(chosen)} external actors with the most instruments, of {actor_count:,}; "
                               "kgraph brief ID writes the brief of any other entity.")
                  if actor_count > len(chosen) else "",
                  institutions_note=(f"The {len(institutions)} institutions with the most instruments of their own, "
                                     f"of {institution_count:,}; kgraph brief ID writes the brief of any other.")
                  if institution_count > len(institutions) else "")
    return Page(words("report.site-title"), html)


def story(context: ReportContext) -> str:
    """The landing page's opening lines: what the graph says, in its own numbers. A fact
    counts as the corpus's when a document of it supports it; facts that only general
    references (country codes, geography) support are counted apart, with those references."""
    from ..words import Words

    words = Words(context.lang)
    references = context.evidence.references
    cited = {fact: {source for source, _ in pairs} for fact, pairs in context.evidence.quotes.items()}
    documented = {fact for fact, sources in cited.items() if sources - set(references)}
    general = set(cited) - documented
    text = words("report.story-facts", facts=words("report.n-facts", count=len(documented)),
                 sources=words("report.n-sources", count=len({s for f in documented for s in cited[f]} - set(references))))
    if general:
        text += words("report.story-general", facts=words("report.n-facts", count=len(general)),
                      references=words("report.n-references", count=len({s for f in general for s in cited[f]})))
    portfolio = context.measures.indicators["channel-portfolio"]
    channels = {c for r in context.relations if context.is_central_asian(r.receiver)
                and not context.is_central_asian(r.provider) for c in r.channels}
    text += ". " + words("report.story-reach", actors=words("report.n-external-actors", count=len(portfolio)),
                         channels=words("report.n-influence-channels", count=len(channels)))
    if portfolio:
        text += words("report.story-leaders", leaders=", ".join(
            f"{context.label(r['actor'])} ({r['instruments']})" for r in portfolio[:3]))
    balance = [r for r in context.measures.indicators["benefactor-balance"]
               if r["scope"] == "overall" and context.is_central_asian(r["state"]) and r["outgoing"]]
    if balance:
        giver = max(balance, key=lambda r: (r["outgoing"], r["state"]))
        text += words("report.story-giver", name=context.label(giver["state"]),
                      given=words("report.n-relations", count=giver["outgoing"]), received=giver["incoming"])
    return text + "."


def check_briefs(entities: list[str], output: Path | None = None, compare: bool = False) -> None:
    """Refuse, before any work, what would not give the pages asked for: a comparison of
    fewer than two actors, or several briefs into one file (``-o`` a folder for them)."""
    if compare and len(entities) < 2:
        raise InputError(f"A comparison needs at least two actors; got {len(entities)} "
                         f"({', '.join(entities) or 'none'}). Give two or more, such as "
                         "china russia united-states, or leave --compare out for a brief.")
    if not compare and len(entities) > 1 and output is not None and Path(output).suffix.lower() in (".html", ".htm"):
        raise InputError(f"-o {output}: {len(entities)} briefs are written into a folder, one file "
                         "each; give a folder (without .html), or one entity for one file.")


def write_briefs(context: ReportContext, entities: list[str], output: Path | None = None) -> list[Path]:
    """The briefs of these entities, alone (linking nowhere): one entity to the file
    ``output`` (default ``brief-ID.html``), several into the folder ``output`` (default the
    current one) as ``ID.html``. Every entity is looked up before anything is written."""
    check_briefs(entities, output)
    nodes = [context.find(entity) for entity in entities]
    pages = [brief_page(context, node) for node in nodes]
    if len(nodes) == 1:
        paths = [Path(output) if output else Path(f"brief-{brief_file(nodes[0])}")]
    else:
        folder = Path(output) if output else Path(".")
        paths = [folder / brief_file(node) for node in nodes]
    return [write_atomic(path, page.html) for path, page in zip(paths, pages)]


def write_comparison(context: ReportContext, entities: list[str], output: Path | None = None) -> Path:
    """The comparison of these actors, alone, to ``output`` (default ``compare-A-B-C.html``)."""
    check_briefs(entities, output, compare=True)
    nodes = [context.find(entity) for entity in entities]
    page = comparison_page(context, nodes)
    default = "compare-" + "-".join(brief_file(n)[:-len(".html")] for n in nodes) + ".html"
    return write_atomic(Path(output) if output else Path(default), page.html)
