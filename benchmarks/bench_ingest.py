"""How well `kgraph ingest` reads the corpus, leave one source out, and how fast it is.

For each source of the bundled data, the graph is built without the data file coded from
it, the source's text (from the corpus folder, ``../shared/sources`` by default) is
ingested against that reduced graph, and the result is compared with the records coded
from the source by hand, before the tool existed:

* **linking**: every record of the left-out file quotes the text; each entity the record
  refers to (its own id too, for an entity record) that the reduced graph knows, and whose
  name stands in the quote, is a mention to find. Recall: the share of those found by a
  mention linked to that entity inside the quote. Precision: of the linked mentions inside
  the quotes, the share whose entity a record quoting that place refers to. Mentions of a
  place by its adjective ("Kazakh researchers") are judged apart (adj. P), strictly: right
  only where a record quoting that place refers to the place.
* **proposals**: a coded fact (a relation record, or a branch campus as parent -> host
  state) counts as found when a proposal has the same kind and the same two ends (a
  proposed new entity stands for the coded entity of the same name); precision is the share
  of proposals that match a coded fact. Facts whose ends the graph keeps (their records are
  kept because other sources' records need them), and facts the reduced graph holds in
  either direction (another source coded them), are not counted for recall; a proposal of
  such a fact in the direction the graph lacks still matches a coded fact.
* **quotes**: every proposed quote (and every new entity's) must be a verbatim substring
  of the saved text: the share that is.
* **unsupported**: the findings of the support check (``kgraph check-quotes --support``)
  on the proposals, read with the reduced data: on proposed facts + on proposed entities
  (a new entity whose home state is a guess, which its note says, is found there).
* **speed**: seconds per 1,000 words once the automaton is built.

A file coded from two sources (the Ustemirova article and, at its end, the Kalykov
abstract) is cut at each source's DOI line: each source's text runs from its own DOI to the
next source's.

Then the automaton: its build time for the bundled graph, and for 100,000 synthetic
entities (labels from ``kgraph synth``), with the memory it takes.

    python3 benchmarks/bench_ingest.py [--corpus ../shared/sources] [--entities 100000]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from kgraph.build import load_graph
from kgraph.ingest.countries import countries
from kgraph.ingest.documents import Document
from kgraph.ingest.known import TRUTHY_RELATIONS, KnownEntity, read_known
from kgraph.ingest.linking import Gazetteer
from kgraph.ingest.pipeline import Ingester, SourceDetails
from kgraph.network import NODE_KINDS
from kgraph.resources import bundled_path
from kgraph.schema import KINDS, REF

ROOT = Path(__file__).resolve().parent.parent
DATA = bundled_path("data")
_FOLD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    return " " + _FOLD.sub(" ", text.casefold().replace("’", "'")).strip() + " "


# --- the left-out source and its coded records ----------------------------------------------

def source_records() -> dict[str, dict]:
    return {s["id"]: s for s in yaml.safe_load((DATA / "sources.yaml").read_text())["sources"]}


def coded_file(source_id: str) -> Path:
    return DATA / f"{source_id}.yaml"


def source_text(source: dict, sources: dict, corpus: Path) -> str:
    """The source's text: its corpus file, cut at the DOI lines of the sources sharing it."""
    text = (corpus / source["text_file"]).read_text(encoding="utf-8")
    sharing = [s for s in sources.values() if s.get("text_file") == source["text_file"]]
    if len(sharing) < 2:
        return text
    cuts = sorted((text.find(s["doi"]), s["id"]) for s in sharing)
    for position, (start, identifier) in enumerate(cuts):
        if identifier == source["id"]:
            end = cuts[position + 1][0] if position + 1 < len(cuts) else len(text)
            return text[text.rfind("\n", 0, start) + 1:end]
    raise ValueError(source["id"])


def records_of(path: Path) -> list[tuple[str, dict]]:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(kind, record) for kind, records in content.items() for record in records]


def references(kind: str, record: dict) -> set[str]:
    found = set()
    for fld in KINDS[kind].fields:
        if fld.type == REF and fld.name in record and fld.name != "source":
            values = record[fld.name] if isinstance(record[fld.name], list) else [record[fld.name]]
            found.update(v for v in values if isinstance(v, str))
    return found


def reduced_data(source_id: str, folder: Path) -> set[str]:
    """The bundled data without the source's file, but with those of its entity records that
    other files' records refer to (transitively): the graph as it would be had the source
    not been coded. The ids kept that way are returned."""
    left_out = records_of(coded_file(source_id))
    defined = {r["id"]: (k, r) for k, r in left_out if "id" in r}
    needed = set()
    for path in DATA.glob("*.yaml"):
        if path != coded_file(source_id):
            for kind, record in records_of(path):
                needed |= references(kind, record) & set(defined)
    keep, queue = set(), list(needed)
    while queue:
        identifier = queue.pop()
        if identifier in keep:
            continue
        keep.add(identifier)
        queue.extend(references(*defined[identifier]) & set(defined))
    folder.mkdir(parents=True)
    for path in DATA.glob("*.yaml"):
        if path != coded_file(source_id):
            shutil.copy(path, folder / path.name)
    kept: dict[str, list] = defaultdict(list)
    for identifier in sorted(keep):
        kind, record = defined[identifier]
        kept[kind].append(record)
    if kept:
        (folder / "kept.yaml").write_text(yaml.safe_dump(dict(kept), allow_unicode=True))
    return keep


# --- scoring ------------------------------------------------------------------------------

def names_of(kind: str, record: dict) -> list[str]:
    """A record's label, alternative labels and names in other languages (one or a list
    per language)."""
    names = [record.get("label", "")] + list(record.get("alt_labels") or [])
    for written in (record.get("labels") or {}).values():
        names.extend([written] if isinstance(written, str) else written)
    return [n for n in names if n]


def all_names() -> dict[str, list[str]]:
    """Every name of every entity of the full data; a state's ISO 3166 names (English,
    Russian, Kazakh) count as its names too."""
    by_code = {c.alpha_2: c.names for c in countries()}
    names = {}
    for path in DATA.glob("*.yaml"):
        for kind, record in records_of(path):
            if "id" in record and kind in NODE_KINDS:
                names[record["id"]] = names_of(kind, record) + list(
                    by_code.get(record.get("iso_code"), ()))
    return names


def locate(text: str, quote: str) -> tuple[int, int] | None:
    words = re.findall(r"[^\W_]+", quote)
    if not words:
        return None
    match = re.search(r"[\W_]+".join(map(re.escape, words)), text, re.IGNORECASE)
    return match.span() if match else None


def fact_keys(kind: str, record: dict) -> list[tuple]:
    """What a coded or proposed record states, as (kind, frozenset of its two ends)."""
    if kind == "branch_campuses":  # a campus the text names without its parent stands for itself
        return [("branch_campuses", frozenset((record.get("parent") or record["id"],
                                               record["host_state"])))]
    spec = KINDS[kind]
    if spec.family != "relation":
        return []
    truthy = spec.truthy[0]
    if truthy.pairwise:
        parties = record.get(truthy.subject) or []
        return [(kind, frozenset((a, b))) for a in parties for b in parties if a < b]
    a, b = record.get(truthy.subject), record.get(truthy.object)
    return [(kind, frozenset((a, b)))] if a and b else []


def evaluate(source_id: str, sources: dict, corpus: Path, names: dict, verbose: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as temporary:
        kept = reduced_data(source_id, Path(temporary) / "data")
        kg = load_graph([Path(temporary) / "data"])
    known = read_known(kg.graph)
    text = source_text(sources[source_id], sources, corpus)
    started = time.perf_counter()
    ingester = Ingester(known)
    build_seconds = time.perf_counter() - started
    document = Document(Path(f"{source_id}.txt"), text, "text", {})
    started = time.perf_counter()
    ingestion = ingester.ingest(document, SourceDetails(source_id=f"{source_id}-ingested"))
    seconds = time.perf_counter() - started
    unsupported = support_findings(source_id, ingestion)

    coded = [(k, r) for k, r in records_of(coded_file(source_id)) if r.get("id") not in kept]
    # Linking.
    gold, judged, right = set(), 0, 0
    covering: list[tuple[tuple[int, int], set[str]]] = []
    for kind, record in coded:
        quotes = [record.get("quote")] + [e.get("quote") for e in record.get("evidence") or []]
        refs = references(kind, record) | ({record["id"]} if "id" in record else set())
        for quote in filter(None, quotes):
            span = locate(text, quote)
            if span is None:
                continue
            covering.append((span, refs))
            for entity in refs & set(known.entities):
                if any(fold(n) in fold(quote) for n in names.get(entity, [])):
                    gold.add((entity, span))
    linked = [m for m in ingestion.mentions if m.status == "linked"]
    unique_name = {}
    for entity, entity_names in names.items():
        for name in entity_names:
            first = unique_name.setdefault(fold(name), entity)
            if first != entity:
                unique_name[fold(name)] = None  # a name of several entities proves nothing
    found = {(e, span) for e, span in gold
             if any(m.entity == e and span[0] <= m.start and m.end <= span[1] for m in linked)}
    wrong_links = Counter()
    adjectives = {"judged": 0, "right": 0}
    for mention in linked:
        attested = [refs for (s, e), refs in covering if s <= mention.start and mention.end <= e]
        if not attested:
            continue
        stands_for = any(mention.entity in refs for refs in attested)
        if mention.match == "adjective":  # judged apart, and strictly: a record refers to it
            adjectives["judged"] += 1
            adjectives["right"] += stands_for
            continue
        judged += 1
        if stands_for or unique_name.get(fold(mention.text)) == mention.entity:
            right += 1
        else:
            wrong_links[(mention.text, mention.entity)] += 1
    missed_links = Counter(e for e, span in gold - found)

    # Proposals.
    alias = {}
    for entity in ingestion.entities:
        key = fold(entity.record["label"])
        for identifier, entity_names in names.items():
            if any(fold(n) == key for n in entity_names):
                alias[entity.id] = identifier
    coded_facts = defaultdict(list)
    every_coded = set()  # with those the reduced graph holds: a proposal of one is right
    for kind, record in coded:
        for key in fact_keys(kind, record):
            every_coded.add(key)
            if not key[1] <= set(kept) and not held(known, key):
                coded_facts[key].append(record)
    proposals = [(p.kind, p.record) for p in ingestion.proposals] + \
        [("branch_campuses", e.record) for e in ingestion.entities if e.kind == "branch_campuses"]
    matched_facts, hits = set(), 0
    wrong_kinds = Counter()
    for kind, record in proposals:
        keys = [(k, frozenset(alias.get(e, e) for e in ends)) for k, ends in fact_keys(kind, record)]
        hit = [k for k in keys if k in coded_facts]
        hits += bool(hit) or any(k in every_coded for k in keys)
        matched_facts.update(hit)
        if not hit and not any(k in every_coded for k in keys):
            wrong_kinds[kind] += 1
    missed = Counter(k[0] for k in coded_facts if k not in matched_facts)
    if verbose:
        for key, records in coded_facts.items():
            if key not in matched_facts:
                print(f"  MISSED {key[0]} {sorted(key[1])}: {records[0].get('quote') or records[0].get('evidence', [{}])[0].get('quote')}")
        for proposal in ingestion.proposals:
            keys = [(k, frozenset(alias.get(e, e) for e in ends)) for k, ends in fact_keys(proposal.kind, proposal.record)]
            print(f"  {'HIT ' if any(k in every_coded for k in keys) else 'WRONG'} {proposal.kind} {proposal.ends} [{proposal.cue}] {proposal.quote}")
    quotes = [q for p in ingestion.proposals for q, _, _ in p.evidence] + \
        [e.quote for e in ingestion.entities]
    verbatim = sum(q in ingestion.text for q in quotes)
    return {
        "source": source_id, "words": ingestion.words,
        "link_recall": _share(len(found), len(gold)), "link_precision": _share(right, judged),
        "gold_mentions": len(gold), "judged_mentions": judged,
        "adjective_precision": _share(adjectives["right"], adjectives["judged"]),
        "adjectives_judged": adjectives["judged"],
        "proposal_recall": _share(len(matched_facts), len(coded_facts)),
        "proposal_precision": _share(hits, len(proposals)),
        "coded_facts": len(coded_facts), "proposals": len(proposals), "matched": len(matched_facts),
        "new_entities": len(ingestion.entities),
        "quotes_verbatim": _share(verbatim, len(quotes)), "quotes": len(quotes),
        "unsupported_facts": unsupported["facts"], "unsupported_entities": unsupported["entities"],
        "seconds_per_1000_words": seconds / max(ingestion.words, 1) * 1000,
        "automaton_seconds": build_seconds,
        "missed_kinds": dict(missed), "wrong_kinds": dict(wrong_kinds),
        "wrong_links": [f"{t} -> {e} ({n})" for (t, e), n in wrong_links.most_common(5)],
        "missed_links": [f"{e} ({n})" for e, n in missed_links.most_common(5)],
    }


def support_findings(source_id: str, ingestion) -> dict[str, list[str]]:
    """The findings of the support check (kgraph.support) on the proposals, read with the
    reduced data as ``kgraph check-quotes --support`` reads them: on proposed facts, and on
    proposed entities."""
    from kgraph.build import load_ontology, vocabulary_ids
    from kgraph.ingest.writing import write_folder
    from kgraph.load import load_dataset
    from kgraph.support import check_support

    with tempfile.TemporaryDirectory() as temporary:
        reduced_data(source_id, Path(temporary) / "data")
        write_folder(ingestion, Path(temporary) / "proposals", f"{source_id}.txt")
        dataset = load_dataset([Path(temporary) / "data", Path(temporary) / "proposals"],
                               vocabulary_ids(load_ontology()))
        findings = [f for f in check_support(dataset.records).findings
                    if f.file.parent.name == "proposals"]
    found = {"facts": [], "entities": []}
    for finding in findings:
        family = "facts" if KINDS[finding.kind].family == "relation" else "entities"
        found[family].append(f"{finding.kind} {finding.record}: {finding.rule}: {finding.message}")
    return found


def held(known, key) -> bool:
    """Whether the reduced graph already states a coded fact (another source coded it)."""
    kind, ends = key
    if len(ends) < 2:
        return True
    a, b = sorted(ends)
    if kind == "branch_campuses":
        pairs = known.campus_pairs()
        return (a, b) in pairs or (b, a) in pairs
    relation = TRUTHY_RELATIONS[kind]
    return known.holds(relation, a, b, symmetric=True)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- the automaton at scale ---------------------------------------------------------------

def synthetic_entities(count: int, folder: Path) -> list[KnownEntity]:
    """About ``count`` entities of ``kgraph synth`` (JSON Lines), read as the linker reads a
    graph: id, kind and names."""
    triples = count * 56  # about 40 per entity before the synthetic data held goals and responses
    subprocess.run([sys.executable, "-m", "kgraph", "synth", "-n", str(triples), "-o", str(folder),
                    "--format", "jsonl"], check=True, capture_output=True)
    entities = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            if record.get("kind") in NODE_KINDS and "id" in record:
                names = [(n, "", False) for n in names_of(record["kind"], record)]
                entities.append(KnownEntity(record["id"], record["kind"], names,
                                            record.get("iso_code")))
    return entities


def automaton_at_scale(count: int) -> dict:
    with tempfile.TemporaryDirectory() as temporary:
        entities = synthetic_entities(count, Path(temporary) / "synth")
    started, cpu = time.perf_counter(), time.process_time()
    gazetteer = Gazetteer(entities)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    tracemalloc.start()
    Gazetteer(entities)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    text = " ".join(e.names[0][0] + " opened a campus in Almaty." for e in entities[:200])
    gazetteer.link("Warm-up: Almaty.")
    started = time.perf_counter()
    mentions = gazetteer.link(text)
    link_seconds = time.perf_counter() - started
    return {"entities": len(entities), "keys": gazetteer.size, "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "peak_mb": peak / 1e6, "link_seconds_per_1000_words":
                link_seconds / len(text.split()) * 1000, "mentions": len(mentions)}


def _percent(value) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "sources")
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="Also write the rows as JSON.")
    parser.add_argument("--source", help="Only this source, with every missed and proposed fact.")
    args = parser.parse_args()
    sources = source_records()
    names = all_names()
    rows = [evaluate(s, sources, args.corpus, names, verbose=bool(args.source)) for s in sources
            if coded_file(s).exists() and args.source in (None, s)]
    header = ("source", "words", "link P", "link R", "adj. P", "prop. P", "prop. R", "coded",
              "proposed", "verbatim", "unsupported", "s/1000 words")
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(v) for v in (
            row["source"], row["words"], _percent(row["link_precision"]),
            _percent(row["link_recall"]),
            f"{_percent(row['adjective_precision'])} ({row['adjectives_judged']})",
            _percent(row["proposal_precision"]),
            _percent(row["proposal_recall"]), row["coded_facts"], row["proposals"],
            _percent(row["quotes_verbatim"]),
            f"{len(row['unsupported_facts'])} + {len(row['unsupported_entities'])}",
            f"{row['seconds_per_1000_words']:.3f}")))
    totals = {k: sum(r[k] for r in rows) for k in ("matched", "coded_facts", "proposals",
                                                   "gold_mentions", "judged_mentions",
                                                   "adjectives_judged")}
    adjectives_right = sum(round((r["adjective_precision"] or 0) * r["adjectives_judged"])
                           for r in rows)
    hits = sum(round((r["proposal_precision"] or 0) * r["proposals"]) for r in rows)
    found = sum(round((r["link_recall"] or 0) * r["gold_mentions"]) for r in rows)
    right = sum(round((r["link_precision"] or 0) * r["judged_mentions"]) for r in rows)
    print(f"all | {sum(r['words'] for r in rows)} | {_percent(right / totals['judged_mentions'])} | "
          f"{_percent(found / totals['gold_mentions'])} | "
          f"{_percent(adjectives_right / max(totals['adjectives_judged'], 1))} ({totals['adjectives_judged']}) | "
          f"{_percent(hits / totals['proposals'])} | "
          f"{_percent(totals['matched'] / totals['coded_facts'])} | {totals['coded_facts']} | "
          f"{totals['proposals']}")
    print()
    for row in rows:
        print(f"{row['source']}: missed {row['missed_kinds']}; wrong {row['wrong_kinds']}; "
              f"wrong links {row['wrong_links']}; missed links {row['missed_links']}")
        for finding in row["unsupported_facts"] + row["unsupported_entities"]:
            print(f"  unsupported: {finding}")
    print(f"\nautomaton for the bundled graph: {rows[0]['automaton_seconds']:.2f} s")
    scale = automaton_at_scale(args.entities)
    print(f"automaton for {scale['entities']:,} synthetic entities ({scale['keys']:,} name keys): "
          f"{scale['seconds']:.1f} s ({scale['cpu_seconds']:.1f} s of CPU), peak "
          f"{scale['peak_mb']:.0f} MB traced; linking "
          f"{scale['link_seconds_per_1000_words']:.3f} s per 1,000 words")
    if args.json:
        args.json.write_text(json.dumps({"sources": rows, "scale": scale}, indent=1))


if __name__ == "__main__":
    main()
