"""Synthetic data: soft-power-shaped records of any size, for benchmarks and scale tests.

The bundled corpus compiles to about nine thousand triples; users will load millions (every
branch campus worldwide, student flows of all countries over decades). To measure kgraph at
that scale without such data, :func:`synthesize` writes a data folder in the project's own
input format (``docs/data-format.md``: YAML, or JSON Lines) that compiles to about the
requested number of triples and is shaped like the real data:

* every record kind, so every class and relation kind of the ontology is present;
* provenance on every fact: each record names a synthetic source and carries a quote.
  The sources have no ``text_file``, so no corpus check applies to their quotes;
* heavy-tailed degrees: references pick early records of a kind far more often than late
  ones (the i-th of n is picked with density about (i/n)^(-2/3)), so a few states,
  universities and programmes are hubs, as Kazakhstan, China or Bolashak are in the corpus;
* years across decades (1960 to 2025, most of them recent), amounts, counts, languages;
* valid under the shapes (a test builds it and finds no violation).

The same size and seed give the same bytes. Records are streamed to files of at most
``CHUNK`` records, so memory stays small at ten million triples. The triples of each record
are estimated as it is made, and the estimate is calibrated first by compiling a sample of
at most ``PROBE`` triples with the real builder, so the folder stays close to the requested
size whatever the builder adds (``kgraph build`` reports the actual count).
"""

from __future__ import annotations

import functools
import json
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .build import load_graph, load_ontology, standard_superclasses, vocabulary_ids
from .choices import SYNTH_FORMATS as FORMATS
from .errors import InputError
from .files import write_atomic
from .namespaces import SP
from .schema import ACTORS, ANY_ENTITY, INSTITUTIONS, INSTRUMENTS, KINDS, PLACES

#: Records per file.
CHUNK = 20_000
#: Triples of the sample compiled to calibrate the estimate.
PROBE = 20_000
#: Share of the triple budget, after the reference records, that each kind gets. The order
#: is the order of generation: a kind refers only to kinds generated before it.
SHARES = {
    "organisations": 0.04, "government_bodies": 0.02, "universities": 0.07,
    "branch_campuses": 0.04, "cultural_centres": 0.02, "companies": 0.02, "people": 0.07,
    "programmes": 0.06, "events": 0.03, "policy_documents": 0.02, "narratives": 0.005,
    "soft_power_models": 0.005, "goals": 0.005,
    "influence_relations": 0.15, "memberships": 0.04, "roles": 0.06, "investments": 0.03,
    "fundings": 0.03, "student_flows": 0.08, "partnerships": 0.05, "regional_responses": 0.005,
    "observations": 0.15,
}
CENTRAL_ASIA = ("kazakhstan", "kyrgyzstan", "tajikistan", "turkmenistan", "uzbekistan")
#: The states that project influence most in the sources come first, so they become hubs.
NAMED_STATES = CENTRAL_ASIA + ("china", "russia", "turkey", "united-states", "united-kingdom",
                               "germany", "japan", "south-korea", "india", "iran", "france")
KAZAKH_NAMES = {"kazakhstan": ("Қазақстан", "Казахстан"), "kyrgyzstan": ("Қырғызстан", "Киргизия"),
                "tajikistan": ("Тәжікстан", "Таджикистан"),
                "turkmenistan": ("Түрікменстан", "Туркмения"),
                "uzbekistan": ("Өзбекстан", "Узбекистан")}
SOURCE_TYPES = ("news-analysis", "commentary", "journal-article", "opinion")
CAMPUS_STATUSES = ("operating", "operating", "operating", "planned", "announced")
OBSERVATION_STATUSES = ("actual", "actual", "actual", "target", "planned", "estimate")
COMPARATORS = ("exact", "exact", "about", "over", "at-least", "up-to")
CURRENCIES = ("USD", "USD", "EUR", "CNY", "KZT", "GBP")
FIELDS = ("AI", "ICT", "engineering", "medicine", "business", "languages", "agriculture")
ROLES = ("minister", "rector", "director", "ambassador", "professor", "chair", "author")
INDICATORS = ("index-rank", "international-student-count", "outbound-student-count",
              "foreign-branch-campus-count", "scholarship-count", "investment-amount",
              "university-count", "programme-participant-count", "survey-share",
              "partnership-count", "cultural-centre-count", "graduate-count")


@dataclass
class SynthSummary:
    """What :func:`synthesize` wrote: records per kind, files, and the triples it expects."""

    requested: int
    estimated_triples: int
    records: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def synthesize(triples: int, out_dir: Path, seed: int = 0, file_format: str = "yaml") -> SynthSummary:
    """Write a data folder that compiles to about ``triples`` triples (with the ontology), its
    records as YAML or JSON Lines (``file_format``): the same records either way."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError(f"'{out_dir}' is not an empty folder; synthetic data goes into a new "
                         "or empty one, so that no other record is loaded with it.")
    ontology = load_ontology()
    if triples <= len(ontology):
        raise InputError(f"--triples {triples} is too small: the ontology alone has "
                         f"{len(ontology)} triples.")
    vocabularies = vocabulary_ids(ontology)
    budget = triples - len(ontology)
    with tempfile.TemporaryDirectory() as probe:
        estimated = _generate(min(budget, PROBE), Path(probe), seed, vocabularies, file_format).estimated
        compiled = len(load_graph([Path(probe)]).graph) - len(ontology)
    generator = _generate(round(budget * estimated / compiled), out_dir, seed, vocabularies, file_format)
    return SynthSummary(triples, round(generator.estimated * compiled / estimated) + len(ontology),
                        generator.counts, generator.files)


def _generate(budget: int, out_dir: Path, seed: int, vocabularies, file_format: str) -> _Generator:
    """Reference records first, then each kind of ``SHARES`` up to its share of the rest."""
    generator = _Generator(random.Random(seed), vocabularies, out_dir, file_format)
    generator.reference_records(budget)
    remaining = budget - generator.estimated
    for kind, share in SHARES.items():
        generator.fill(kind, share * remaining)
    generator.flush()
    return generator


def estimated_triples(kind: str, record: dict) -> int:
    """About the triples the builder compiles from a record: type, identifier, the epistemic
    status of a fact, two per label, one per value, four more for an amount, four per strength, five per quote, and
    the plain edges beside a qualified relation. :func:`synthesize` corrects the estimate
    with the builder's actual count on a sample."""
    spec = KINDS[kind]
    count = (3 if spec.needs_evidence else 2) + _implied_types(spec.subtypes.get(record.get("type"), spec.rdf_class))
    for name, value in record.items():
        if name in ("id", "currency"):
            continue
        if name == "label":
            count += 2
        elif name == "quote":
            # sp:evidence, and the quotation's type (with those it implies), source and text
            count += 4 + _implied_types(SP.Quotation)
        elif name == "amount":
            count += 4
        elif name in ("strengths", "constraints"):
            count += 4 * len(value)
        else:
            count += len(value) if isinstance(value, (list, dict)) else 1
    for truthy in spec.truthy:
        parties = len(record.get(truthy.subject, ()))
        count += parties * (parties - 1) if truthy.pairwise else 1
    return count


@functools.lru_cache(maxsize=None)
def _implied_types(rdf_class) -> int:
    """How many standard superclasses the builder adds to a node of the class."""
    return len(_superclasses().get(f"<{rdf_class}>", ()))


@functools.lru_cache(maxsize=1)
def _superclasses() -> dict:
    return standard_superclasses(load_ontology())


class _Generator:
    """Makes the records kind by kind, remembers the ids of each kind, writes chunk files."""

    def __init__(self, rng: random.Random, vocabularies: dict[str, set[str]], out_dir: Path,
                 file_format: str):
        if file_format not in FORMATS:
            raise InputError(f"unknown format '{file_format}' for synthetic data; expected one "
                             f"of: {', '.join(FORMATS)}.")
        self.file_format = file_format
        self.rng = rng
        self.vocabularies = {kind: sorted(ids) for kind, ids in vocabularies.items()}
        self.out_dir = out_dir
        self.ids: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self.counts: dict[str, int] = {}
        self.files: list[Path] = []
        self.pending: dict[str, list[str]] = {}
        self.chunks: dict[str, int] = {}
        self.estimated = 0
        self.serial = 0

    # -- picking --------------------------------------------------------------------------------
    def pick(self, kinds) -> str:
        """An id of one of the kinds, early ones far more often than late ones."""
        kinds = [kind for kind in kinds if self.ids.get(kind)]
        pool = self.ids[self.rng.choices(kinds, [len(self.ids[kind]) for kind in kinds])[0]]
        return pool[int(len(pool) * self.rng.random() ** 3)]

    def some(self, kinds, most: int, least: int = 1) -> list[str]:
        """Distinct ids of the kinds, between ``least`` and ``most`` of them."""
        wanted = self.rng.randint(least, most)
        chosen: list[str] = []
        for _ in range(wanted * 4):
            value = self.pick(kinds)
            if value not in chosen:
                chosen.append(value)
            if len(chosen) == wanted:
                return chosen
        for value in (v for kind in kinds for v in self.ids.get(kind, ())):
            if len(chosen) >= least:  # the hubs came up again and again: fill up in order
                break
            if value not in chosen:
                chosen.append(value)
        return chosen

    @staticmethod
    def subtype(kind: str, number: int) -> dict:
        """The ``type`` field, in turn each subtype and none (the kind's own class)."""
        choices = [*sorted(KINDS[kind].subtypes), None]
        chosen = choices[(number - 1) % len(choices)]
        return {"type": chosen} if chosen else {}

    def vocabulary(self, kind: str, most: int) -> list[str]:
        values = self.vocabularies[kind]
        return sorted(self.rng.sample(values, self.rng.randint(1, min(most, len(values)))))

    def year(self, first: int = 1960, last: int = 2025) -> int:
        """A year, most of them recent."""
        return last - int((last - first + 1) * self.rng.random() ** 2)

    def central_asian(self) -> str:
        return CENTRAL_ASIA[int(len(CENTRAL_ASIA) * self.rng.random() ** 1.5)]

    def host_state(self) -> str:
        """A state that hosts campuses, events or sends students: mostly Central Asian."""
        return self.central_asian() if self.rng.random() < 0.7 else self.pick(("states",))

    def target(self) -> str:
        """Where influence is projected: mostly Central Asia, sometimes any place."""
        return self.central_asian() if self.rng.random() < 0.7 else self.pick(PLACES)

    def evidence(self, statement: str) -> dict:
        self.serial += 1
        return {"source": self.pick(("sources",)),
                "quote": f"Synthetic statement {self.serial}: {statement}."}

    # -- writing --------------------------------------------------------------------------------
    def add(self, kind: str, record: dict) -> None:
        if "id" in record and KINDS[kind].family != "relation":
            self.ids[kind].append(record["id"])
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.estimated += estimated_triples(kind, record)
        lines = self.pending.setdefault(kind, [])
        lines.append(_yaml_record(record) if self.file_format == "yaml"
                     else json.dumps({"kind": kind, **record}, ensure_ascii=False) + "\n")
        if len(lines) == CHUNK:
            self.write(kind)

    def write(self, kind: str) -> None:
        lines = self.pending.pop(kind, [])
        if lines:
            self.chunks[kind] = number = self.chunks.get(kind, 0) + 1
            path = self.out_dir / f"{kind}-{number:04d}.{self.file_format}"
            header = f"{kind}:\n" if self.file_format == "yaml" else ""
            self.files.append(write_atomic(path, header + "".join(lines)))

    def flush(self) -> None:
        for kind in list(self.pending):
            self.write(kind)

    def fill(self, kind: str, triples: float) -> None:
        """Records of one kind until their triples reach the share (at least two records, and
        one of each subtype, so that every class of the format is present)."""
        make = getattr(self, kind)
        start, number, last = self.estimated, 0, 0
        least = max(2, len(KINDS[kind].subtypes) + 1)
        # Stop within half a record of the share: stopping only past it overshot every kind.
        while number < least or self.estimated - start + last / 2 < triples:
            number += 1
            before = self.estimated
            self.add(kind, make(number))
            last = self.estimated - before
        self.write(kind)

    # -- the reference records: sources, places, the analytical framework ----------------------
    def reference_records(self, budget: int) -> None:
        """Sources, states, blocs, regions, cities, indicators, concepts and dimensions, in
        numbers that grow slowly with the size."""
        records = budget // 14
        for number in range(1, max(5, records // 400) + 1):
            self.add("sources", {
                "id": f"synthetic-source-{number}", "title": f"Synthetic source {number}",
                "type": self.rng.choice(SOURCE_TYPES), "year": self.year(1990),
                "languages": self.rng.choice((["en"], ["ru"], ["en", "kk"], ["kk", "ru"]))})
        for number in range(1, min(195, max(len(NAMED_STATES), records // 150)) + 1):
            self.add("states", self.state(number))
        for number in range(1, 4):
            self.add("blocs", {"id": f"bloc-{number}", "label": f"Bloc {number}",
                               **self.evidence(f"bloc {number} acts together")})
        self.add("regions", {"id": "central-asia", "label": "Central Asia",
                             "states": list(CENTRAL_ASIA),
                             **self.evidence("Central Asia is five states")})
        for number in range(1, 3):
            self.add("regions", {"id": f"region-{number}", "label": f"Region {number}",
                                 "states": self.some(("states",), 6, 2),
                                 **self.evidence(f"region {number} groups states")})
        for number in range(1, max(10, records // 60) + 1):
            self.add("cities", {"id": f"city-{number}", "label": f"City {number}",
                                "state": self.pick(("states",)),
                                **self.evidence(f"city {number} lies in a state")})
        for indicator in INDICATORS:
            self.add("indicators", {"id": indicator, "label": indicator.replace("-", " "),
                                    "definition": f"How much: {indicator.replace('-', ' ')}.",
                                    "unit": indicator.rsplit("-", 1)[-1],
                                    **self.evidence(f"{indicator} is measured")})
        for number in range(1, max(8, records // 300) + 1):
            self.add("concepts", self.concept(number))
        for number in range(1, 5):
            self.add("analytical_dimensions", self.dimension(number))

    def state(self, number: int) -> dict:
        named = number <= len(NAMED_STATES)
        identifier = NAMED_STATES[number - 1] if named else f"state-{number}"
        record = {"id": identifier,
                  "label": identifier.replace("-", " ").title() if named else f"State {number}"}
        if identifier in KAZAKH_NAMES:
            kk, ru = KAZAKH_NAMES[identifier]
            record["labels"] = {"kk": kk, "ru": ru}
        record["iso_code"] = chr(65 + (number // 26) % 26) + chr(65 + number % 26)
        record["central_asian"] = identifier in CENTRAL_ASIA
        return {**record, **self.evidence(f"{record['label']} is a state")}

    def concept(self, number: int) -> dict:
        record = {"id": f"concept-{number}", "label": f"concept {number}",
                  "definition": f"The meaning of concept {number}."}
        if self.ids["concepts"]:
            record["broader"] = [self.pick(("concepts",))]
            record["related"] = self.some(("concepts",), 2)
        return {**record, **self.evidence(f"concept {number} is defined")}

    def dimension(self, number: int) -> dict:
        return {"id": f"dimension-{number}", "label": f"Dimension {number}",
                "indicator": f"what dimension {number} measures",
                "typical_material": "speeches, programme documents",
                "question": f"How does dimension {number} vary?",
                "ontology_class": "InfluenceRelation",
                "values": self.vocabulary("channels", 3) + self.vocabulary("effects", 2),
                "order": number, **self.evidence(f"dimension {number} is operationalised")}

    # -- entities -------------------------------------------------------------------------------
    def organisations(self, number: int) -> dict:
        record = {"id": f"organisation-{number}", "label": f"Organisation {number}",
                  **self.subtype("organisations", number),
                  "based_in": self.pick(PLACES), "founded": self.year(1945)}
        if self.ids["organisations"] and self.rng.random() < 0.3:
            record["parent"] = self.pick(("organisations",))
        if self.rng.random() < 0.5:
            record["initiator"] = self.some(("states", "blocs"), 2)
        return {**record, **self.evidence(f"organisation {number} was founded")}

    def government_bodies(self, number: int) -> dict:
        return {"id": f"government-body-{number}", "label": f"Government body {number}",
                **self.subtype("government_bodies", number),
                "state": self.pick(("states",)),
                **self.evidence(f"government body {number} serves its state")}

    def universities(self, number: int) -> dict:
        return {"id": f"university-{number}", "label": f"University {number}",
                "country": self.pick(("states",)), "city": self.pick(("cities",)),
                "founded": self.year(1850), **self.evidence(f"university {number} teaches")}

    def branch_campuses(self, number: int) -> dict:
        record = {"id": f"branch-campus-{number}", "label": f"Branch campus {number}",
                  "parent": self.pick(("universities",)), "host_city": self.pick(("cities",)),
                  "host_state": self.host_state(), "opened": self.year(1990),
                  "status": self.rng.choice(CAMPUS_STATUSES)}
        if self.rng.random() < 0.4:
            record["local_partner"] = self.pick(("universities", "organisations"))
        return {**record, **self.evidence(f"branch campus {number} opened")}

    def cultural_centres(self, number: int) -> dict:
        return {"id": f"cultural-centre-{number}", "label": f"Cultural centre {number}",
                **self.subtype("cultural_centres", number),
                "operator": self.some(("universities", "organisations"), 2),
                "sponsor": [self.pick(("states",))], "host_city": self.pick(("cities",)),
                "host_state": self.host_state(),
                **self.evidence(f"cultural centre {number} teaches a language")}

    def companies(self, number: int) -> dict:
        return {"id": f"company-{number}", "label": f"Company {number}",
                "country": self.pick(("states",)),
                "fields": sorted(self.rng.sample(FIELDS, self.rng.randint(1, 3))),
                **self.evidence(f"company {number} trains people")}

    def people(self, number: int) -> dict:
        return {"id": f"person-{number}", "label": f"Person {number}",
                "nationality": self.pick(("states",)),
                "affiliation": self.some(INSTITUTIONS, 2),
                "occupation": self.rng.choice(ROLES),
                **self.evidence(f"person {number} speaks")}

    def programmes(self, number: int) -> dict:
        record = {"id": f"programme-{number}", "label": f"Programme {number}",
                  **self.subtype("programmes", number),
                  "funders": self.some(ACTORS, 2),
                  "reaches": self.some(("states",), 3),
                  "channels": self.vocabulary("channels", 2),
                  "audiences": self.vocabulary("audiences", 2),
                  "effects": self.vocabulary("effects", 2),
                  "launched": self.year()}
        if self.rng.random() < 0.5:
            record["operators"] = self.some(INSTITUTIONS, 2)
        if self.rng.random() < 0.3:
            record["destinations"] = self.some(PLACES, 2)
            record["scale"] = f"{self.rng.randint(10, 5000)} participants a year"
        return {**record, **self.evidence(f"programme {number} was launched")}

    def events(self, number: int) -> dict:
        year = self.year(1990)
        record = {"id": f"event-{number}", "label": f"Event {number}",
                  **self.subtype("events", number),
                  "date": f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
                  "year": year, "city": self.pick(("cities",)), "host_state": self.host_state(),
                  "organisers": self.some(ACTORS, 2), "participants": self.some(ACTORS, 6, 2),
                  "channels": self.vocabulary("channels", 2)}
        if self.rng.random() < 0.3:
            record["outcomes"] = self.some(("programmes", "organisations"), 2)
        return {**record, **self.evidence(f"event {number} took place")}

    def policy_documents(self, number: int) -> dict:
        record = {"id": f"policy-document-{number}", "label": f"Policy document {number}",
                  **self.subtype("policy_documents", number),
                  "issuers": self.some(("states", "government_bodies", "organisations"), 2),
                  "year": self.year(1991)}
        if self.rng.random() < 0.4:
            record["adopted_at"] = self.pick(("events",))
        return {**record, **self.evidence(f"policy document {number} was adopted")}

    def narratives(self, number: int) -> dict:
        return {"id": f"narrative-{number}", "label": f"Narrative {number}",
                "actor": self.pick(("states", "blocs")),
                **self.evidence(f"narrative {number} explains a presence")}

    def soft_power_models(self, number: int) -> dict:
        return {"id": f"soft-power-model-{number}", "label": f"Soft-power model {number}",
                "actor": self.pick(("states", "blocs")), "narrative": self.pick(("narratives",)),
                "instruments": self.some(("programmes", "universities"), 3),
                "channels": self.vocabulary("channels", 3),
                "strengths": [f"strength {number}.{i}" for i in (1, 2)],
                "constraints": [f"constraint {number}.1"],
                **self.evidence(f"model {number} compares actors")}

    def goals(self, number: int) -> dict:
        record = {"id": f"goal-{number}", "label": f"Goal {number}",
                  "holder": self.pick(("states", "government_bodies", "organisations")),
                  "instruments": self.some(("programmes", "policy_documents", "events"), 2),
                  "channels": self.vocabulary("channels", 2)}
        if self.rng.random() < 0.5:
            record["target"] = self.target()
        if self.rng.random() < 0.3:
            record["concepts"] = [self.pick(("concepts",))]
        return {**record, **self.evidence(f"{record['holder']} aims at goal {number}")}

    # -- relations and observations ------------------------------------------------------------
    def influence_relations(self, number: int) -> dict:
        record = {"actor": self.pick(ACTORS), "target": self.target()}
        if self.rng.random() < 0.7:
            record["instrument"] = self.pick(INSTRUMENTS)
        record.update(channels=self.vocabulary("channels", 2), year=self.year())
        if self.rng.random() < 0.4:
            record["audiences"] = self.vocabulary("audiences", 2)
            record["effects"] = self.vocabulary("effects", 2)
        return {**record, **self.evidence(f"{record['actor']} influences {record['target']}")}

    def memberships(self, number: int) -> dict:
        record = {"member": self.pick(ACTORS), "organisation": self.pick(("organisations", "blocs")),
                  "since": self.year(1991)}
        if self.rng.random() < 0.3:
            record["role"] = self.rng.choice(("member", "observer", "founder", "partner"))
        return {**record, **self.evidence(f"{record['member']} joined {record['organisation']}")}

    def roles(self, number: int) -> dict:
        record = {"person": self.pick(("people",)),
                  "organisation": self.pick(INSTITUTIONS + ("programmes",)),
                  "role": self.rng.choice(ROLES), "since": self.year(1980)}
        return {**record, **self.evidence(f"{record['person']} serves {record['organisation']}")}

    def investments(self, number: int) -> dict:
        record = {"investor": self.pick(ACTORS),
                  "recipient": self.pick(("branch_campuses", "universities", "programmes", "cities")),
                  "amount": self.rng.randint(1, 5000) * 10_000,
                  "currency": self.rng.choice(CURRENCIES), "year": self.year(1995)}
        return {**record, **self.evidence(f"{record['investor']} invests in {record['recipient']}")}

    def fundings(self, number: int) -> dict:
        record = {"funder": self.pick(ACTORS), "programme": self.pick(("programmes",)),
                  "amount": self.rng.randint(1, 2000) * 5_000,
                  "currency": self.rng.choice(CURRENCIES), "year": self.year(1995)}
        return {**record, **self.evidence(f"{record['funder']} funds {record['programme']}")}

    def student_flows(self, number: int) -> dict:
        origin = self.host_state()
        record = {"origin": origin, "destination": self.pick(("states", "blocs")),
                  "count": int(10 * (1 / (1 - self.rng.random() * 0.999)) ** 1.5),
                  "year": self.year(1970)}
        return {**record, **self.evidence(f"students go from {origin} to {record['destination']}")}

    def partnerships(self, number: int) -> dict:
        record = {"parties": self.some(("universities", "branch_campuses", "organisations",
                                        "companies", "programmes"), 3, 2),
                  "scope": self.rng.choice(("joint degrees", "research", "exchange", "training")),
                  "channels": self.vocabulary("channels", 2), "year": self.year(1995)}
        return {**record, **self.evidence(f"{' and '.join(record['parties'])} work together")}

    def regional_responses(self, number: int) -> dict:
        respondent = self.central_asian() if self.rng.random() < 0.6 else "central-asia"
        record = {"respondent": respondent, "actor": self.pick(("states", "blocs")),
                  "responses": self.vocabulary("response_types", 2),
                  "channels": self.vocabulary("channels", 2), "year": self.year(1991)}
        if self.rng.random() < 0.5:
            record["means"] = [self.rng.choice(("language reform", "alternative partnerships",
                                                "national language policies"))]
        return {**record, **self.evidence(f"{respondent} answers {record['actor']}")}

    def observations(self, number: int) -> dict:
        record = {"subject": self.pick(ANY_ENTITY), "indicator": self.rng.choice(INDICATORS),
                  "value": round(self.rng.paretovariate(1.2) * 10, 1), "year": self.year(1990),
                  "status": self.rng.choice(OBSERVATION_STATUSES),
                  "comparator": self.rng.choice(COMPARATORS)}
        if self.rng.random() < 0.2:
            record["counterpart"] = self.pick(("states",))
        return {**record, **self.evidence(f"{record['indicator']} of {record['subject']}")}


def _yaml_record(record: dict) -> str:
    """One record as an item of a YAML block sequence: strings double-quoted as JSON
    (a JSON string is a valid YAML double-quoted scalar), lists and maps in flow style."""
    lines = [f"    {name}: {_yaml_value(value)}\n" for name, value in record.items()]
    return "  - " + "".join(lines)[4:]


def _yaml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)
