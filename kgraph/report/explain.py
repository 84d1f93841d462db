"""Every number a brief shows, with one sentence saying what it means and where it ranks.

``kgraph centrality`` prints the numbers; a reader of a brief needs to know what PageRank
0.031 says about China and whether it is a lot. Each :class:`Measure` carries the value,
its rank among the entities it is compared with, and a sentence in plain words, following
``docs/network.md`` and ``docs/indicators.md``. Where the betweenness of the whole network
and the brokerage indicator's both appear, the sentence says why they differ: they are
computed on different networks (the actor network leaves out cities and regions).
"""

from __future__ import annotations

from dataclasses import dataclass

from .context import ReportContext


@dataclass(frozen=True)
class Measure:
    """One number of a brief: its name, value, rank and meaning."""

    key: str
    name: str
    value: str
    rank: str
    meaning: str


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_among(values: dict, node, higher_first: bool = True) -> tuple[int, int, bool]:
    """Competition rank of ``node`` among ``values`` (1 + how many are strictly better), how
    many are ranked, and whether it shares the rank with another."""
    mine = values[node]
    better = sum(1 for v in values.values() if (v > mine if higher_first else v < mine))
    tied = sum(1 for v in values.values() if v == mine) > 1
    return better + 1, len(values), tied


def rank_words(position: int, count: int, tied: bool, of: str) -> str:
    """"joint 4th of 14 states and blocs"."""
    return f"{'joint ' if tied else ''}{ordinal(position)} of {count:,} {of}"


def counted(count: int, one: str, other: str) -> str:
    """"1 link", "2 links": the count with the English form its plural category takes."""
    from ..words import plural_category

    return f"{count:,} {one if plural_category(count, 'en') == 'one' else other}"


def _number(value, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) >= 10 ** -digits or value == 0 else f"{value:.2e}"
    return f"{value:,}"


def centrality_measures(context: ReportContext, node: str) -> list[Measure]:
    """The centralities of one entity over the whole network, each with its meaning."""
    row = context.centrality_row(node)
    name = context.english_label(node)
    total = context.entity_count

    def ranked(metric):
        return rank_words(*context.centrality_rank(metric, node), "entities")

    members, leading = context.community(row["community"])
    sampled = "" if row.get("betweenness_method", "exact") == "exact" else " (estimated from a sample of paths)"
    return [
        Measure("degree", "Degree", f"{row['degree']:,}", ranked("degree"),
                f"{name} takes part in {counted(row['degree'], 'link', 'links')} of the network, {row['degree_in']:,} "
                f"pointing to it and {row['degree_out']:,} from it (one per fact)."),
        Measure("pagerank", "PageRank", _number(row["pagerank"], 4), ranked("pagerank"),
                f"The share of its time a random walk along the links spends at {name} (it follows a "
                f"link 85% of the time and jumps anywhere otherwise); an even share would be "
                f"{1 / total:.4f}, and being pointed to by well-pointed-to entities raises it."),
        Measure("betweenness", "Betweenness (whole network)", _number(row["betweenness"]), ranked("betweenness"),
                f"The share of shortest paths between two other entities of the whole network, "
                f"places included, that pass through {name}{sampled}: how much it stands between "
                "the others."),
        Measure("eigenvector", "Eigenvector", _number(row["eigenvector"]), ranked("eigenvector"),
                f"High when {name} is linked to entities that are themselves well linked: influence by "
                "the company it keeps (0 to 1)."),
        Measure("closeness", "Closeness", _number(row["closeness"]), ranked("closeness"),
                f"One over the mean number of links from {name} to the entities it can reach, scaled "
                "by how many it reaches: how few steps it is from everything else."),
        Measure("community", "Community", str(row["community"]),
                f"{members:,} of {total:,} entities",
                f"The group of densely linked entities (Louvain) it falls in; its most central "
                f"members: {', '.join(leading)}."),
    ]


def indicator_measures(context: ReportContext, node: str) -> list[Measure]:
    """The soft-power indicators of one entity, each with its meaning and its rank among the
    entities the indicator compares (those with a number to compare)."""
    found = []
    name = context.english_label(node)

    def ranked(indicator: str, column: str, value: str, of: str, higher_first: bool = True) -> str:
        return rank_words(*context.indicator_rank(indicator, column, node, value, higher_first), of)

    row = context.indicator_row("channel-portfolio", "actor", node)
    if row is not None:
        found.append(Measure(
            "instruments", "Instruments in Central Asia", f"{row['instruments']:,}",
            ranked("channel-portfolio", "actor", "instruments", "external actors"),
            f"Distinct instruments (campuses, programmes, centres, events, relations) through which "
            f"{name} reaches the Central Asian states, across {counted(row['channels'], 'influence channel', 'influence channels')} "
            "(the channel-portfolio indicator)."))
    row = context.indicator_row("benefactor-balance", "state", node)
    if row is not None:
        share = row["benefactor_share"]
        leaning = ("a net provider" if share > 0.5 else "a net receiver" if share < 0.5 else "even") if share is not None else "n/a"
        found.append(Measure(
            "benefactor_share", "Benefactor share", _number(share, 2),
            ranked("benefactor-balance", "state", "benefactor_share", "states and blocs") if share is not None else "",
            f"{name} gives {counted(row['outgoing'], 'soft-power relation', 'soft-power relations')} and receives {row['incoming']:,}: "
            f"the share it gives, {leaning} (above 0.5 a provider, below a receiver)."))
    row = context.indicator_row("multivector", "state", node)
    if row is not None and row["partners"]:
        found.append(Measure(
            "diversification", "Multi-vector diversification", _number(row["diversification"]),
            ranked("multivector", "state", "diversification", "Central Asian states"),
            f"1 − HHI over its {counted(row['partners'], 'external partner', 'external partners')} "
            f"({counted(row['relations'], 'engagement', 'engagements')}): as "
            f"spread as {row['effective_partners']:.1f} equally weighted partners; the largest, "
            f"{context.label(row['top_partner'])}, takes {row['top_share']:.0%}."))
    row = context.indicator_row("brokerage", "id", node)
    if row is not None:
        actors = context.entity_count - context.place_count
        whole = context.centrality_row(node)["betweenness"]
        found.append(Measure(
            "brokerage", "Betweenness (actor network)", _number(row["betweenness"]),
            ranked("brokerage", "id", "betweenness", "brokers"),
            f"The same share of shortest paths as the betweenness above, but on the actor network, "
            f"which leaves out cities and regions ({actors:,} entities instead of "
            f"{context.entity_count:,}): paths that ran through a place no longer count, "
            f"hence {_number(row['betweenness'])} here against {_number(whole)}. {name} links "
            f"{counted(row['communities_bridged'], 'community', 'communities')} and the spheres of "
            f"{counted(row['spheres_bridged'], 'external power', 'external powers')}."))
        found.append(Measure(
            "constraint", "Burt's constraint", _number(row["constraint"]),
            ranked("brokerage", "id", "constraint", "brokers", higher_first=False)
            if row["constraint"] == row["constraint"] else "",
            f"How much {name}'s contacts are tied to each other (0 to 1): low means many structural "
            f"holes it alone spans; its effective size is {_number(row['effective_size'], 1)} "
            "non-redundant contacts."))
    return found
