"""The data format: which record kinds a YAML file may hold, their fields, and their RDF terms.

Researchers edit YAML records; this table is the single description of what each record
kind means in the ontology. The loader checks records against it (unknown fields, wrong
value types, references to missing or wrongly typed records) and the builder compiles
them with it, so the two can never disagree. ``docs/data-format.md`` documents it for
people.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rdflib import URIRef

from .choices import DEFAULT_EPISTEMIC_STATUS, EPISTEMIC_STATUSES  # noqa: F401 (re-exported)
from .choices import REFERENCE_SOURCE_TYPE, SOURCE_TYPES  # noqa: F401 (re-exported)
from .namespaces import DCTERMS, ORG, OWL, RDFS, SDO, SKOS, SP

#: Value types a field may have.
TEXT, YEAR, DATE, INTEGER, DECIMAL, BOOLEAN, REF, STRENGTHS = (
    "text", "year", "date", "integer", "decimal", "boolean", "ref", "statements")
#: A Wikidata item id (Q232), compiled to the item's IRI.
WIKIDATA = "wikidata"

#: Years outside this range are typing mistakes, not history of soft power.
YEAR_RANGE = (1800, 2100)


@dataclass(frozen=True)
class Field:
    """One YAML field: its RDF predicate, value type and, for references, allowed kinds."""

    name: str
    predicate: URIRef
    type: str = TEXT
    targets: tuple[str, ...] = ()
    many: bool = False
    required: bool = False
    doc: str = ""
    #: For a code of a standard scheme: its name (``ISO 3166-1 alpha-2``). The value is also
    #: written as a schema.org ``PropertyValue`` of ``schema:identifier``, which consumers
    #: who know schema.org but not this ontology read.
    scheme: str = ""


@dataclass(frozen=True)
class Truthy:
    """The plain edge asserted beside a qualified relation node (Wikidata's "truthy" edge).

    ``subject`` and ``object`` name fields of the record; ``pairwise`` links every pair of
    a many-valued field (a partnership between several parties).
    """

    subject: str
    predicate: URIRef
    object: str
    pairwise: bool = False


@dataclass(frozen=True)
class RecordKind:
    """A top-level YAML key, the class its records get, and the fields they may carry."""

    name: str
    rdf_class: URIRef
    fields: tuple[Field, ...]
    family: str  # "source", "entity", "relation", "observation", "concept"
    subtypes: dict[str, URIRef] = field(default_factory=dict)
    truthy: tuple[Truthy, ...] = ()
    needs_evidence: bool = True
    doc: str = ""

    def field_named(self, name: str) -> Field | None:
        return self._fields_by_name.get(name)

    @functools.cached_property
    def _fields_by_name(self) -> dict[str, Field]:
        """The fields by name: the checker looks one up for every value of every record."""
        return {f.name: f for f in self.fields}


# Groups of record kinds used as reference targets.
STATES = ("states",)
ACTORS = ("states", "blocs", "organisations", "government_bodies", "universities",
          "branch_campuses", "cultural_centres", "companies", "people")
INSTITUTIONS = ("organisations", "government_bodies", "universities", "branch_campuses",
                "cultural_centres", "companies")
PLACES = ("states", "blocs", "regions", "cities")
INSTRUMENTS = ("programmes", "organisations", "universities", "branch_campuses",
               "cultural_centres", "events", "policy_documents", "government_bodies",
               "companies", "people")
ANY_ENTITY = ACTORS + ("programmes", "events", "policy_documents", "regions", "cities",
                       "concepts")

#: Controlled vocabularies that live in the ontology, not in the data: kind -> SKOS class.
VOCABULARIES = {
    "channels": SP.InfluenceChannel,
    "audiences": SP.TargetAudience,
    "effects": SP.GeopoliticalEffect,
    "response_types": SP.ResponseType,
    "epistemic_statuses": SP.EpistemicStatus,
}

LABEL_FIELDS = (
    Field("label", RDFS.label, required=True, doc="English name, as the sources write it"),
    Field("labels", SKOS.prefLabel, doc="names in other languages: {kk: ..., ru: ...}; a list "
          "gives other names in that language, the preferred one first"),
    Field("alt_labels", SKOS.altLabel, many=True, doc="other names the sources use"),
    Field("variants", SKOS.hiddenLabel, many=True,
          doc="other spellings and words that stand for it in the sources' sentences "
              "(DeMontfort, Kazakh): found by search and by the support check, never shown"),
    Field("description", DCTERMS.description, doc="one sentence on what it is"),
    Field("wikidata", OWL.sameAs, WIKIDATA,
          doc="its Wikidata item (Q232), from a reference list, never from memory; written as "
              "owl:sameAs the item's IRI"),
)
#: Every record that states a fact says how strong it is, and may say why.
GRADING_FIELDS = (
    Field("epistemic_status", SP.epistemicStatus, REF, ("epistemic_statuses",),
          doc="stated (default: the quote says it), inferred (the coder concludes it; say why "
              "in 'note') or proposed (not yet reviewed, as kgraph ingest writes)"),
    Field("note", SKOS.note, doc="why an inferred fact is inferred, or any remark of the coder"),
)
EVIDENCE_FIELDS = GRADING_FIELDS + (
    Field("source", DCTERMS.source, REF, ("sources",), doc="id of the source record"),
    Field("quote", SP.quote, doc="a short verbatim quote (at most about 40 words)"),
    Field("evidence", SP.evidence, many=True,
          doc="several {source, quote} pairs when more than one source supports the record"),
)
ID_FIELD = Field("id", DCTERMS.identifier, required=True, doc="stable readable id: lower-case words and hyphens")


def _entity(name, rdf_class, *fields, subtypes=None, doc=""):
    return RecordKind(name, rdf_class, (ID_FIELD, *LABEL_FIELDS, *fields, *EVIDENCE_FIELDS),
                      "entity", subtypes or {}, doc=doc)


def _relation(name, rdf_class, truthy, *fields, doc=""):
    return RecordKind(name, rdf_class,
                      (Field("id", DCTERMS.identifier, doc="optional; derived from the fields when absent"),
                       *fields, *EVIDENCE_FIELDS),
                      "relation", truthy=truthy, doc=doc)


def _ref(name, predicate, targets, many=False, required=False, doc=""):
    return Field(name, predicate, REF, targets, many, required, doc)


YEAR_FIELD = Field("year", SP.year, YEAR, doc="the year the fact refers to")
MONEY_FIELDS = (
    Field("amount", SP.amount, DECIMAL, doc="a non-negative number"),
    Field("currency", SDO.currency, doc="ISO 4217 code, e.g. USD (required with amount)"),
)
PROGRAMME_LINKS = (
    _ref("channels", SP.channel, ("channels",), many=True, doc="influence channels used"),
    _ref("audiences", SP.targetAudience, ("audiences",), many=True, doc="groups addressed"),
    _ref("effects", SP.expectedEffect, ("effects",), many=True, doc="geopolitical effects sought"),
)

KINDS: dict[str, RecordKind] = {k.name: k for k in (
    RecordKind("sources", SP.Source, (
        ID_FIELD,
        Field("title", DCTERMS.title, required=True),
        _ref("authors", DCTERMS.creator, ("people",), many=True),
        Field("author_names", SP.authorName, many=True, doc="authors with no person record"),
        _ref("publisher", DCTERMS.publisher, ("organisations", "universities")),
        Field("type", DCTERMS.type, required=True, doc=f"{', '.join(SOURCE_TYPES)} or {REFERENCE_SOURCE_TYPE}"),
        Field("date", DCTERMS.issued, DATE),
        YEAR_FIELD,
        Field("doi", SP.doi),
        Field("languages", DCTERMS.language, many=True, doc="ISO 639-1 codes"),
        Field("text_file", SP.corpusFile, doc="file name of the text in the source corpus"),
        Field("url", SDO.url, doc="where the document was read"),
        Field("description", DCTERMS.description),
    ), "source", needs_evidence=False,
        doc="bibliographic records of the corpus, and named references for general facts"),

    _entity("states", SP.State,
            Field("iso_code", SP.iso3166Alpha2, doc="ISO 3166-1 alpha-2 code",
                  scheme="ISO 3166-1 alpha-2"),
            Field("iso_alpha3", SP.iso3166Alpha3, doc="ISO 3166-1 alpha-3 code",
                  scheme="ISO 3166-1 alpha-3"),
            Field("iso_numeric", SP.iso3166Numeric, doc="ISO 3166-1 numeric code: three digits, "
                  "written in quotes (\"004\")", scheme="ISO 3166-1 numeric"),
            Field("central_asian", SP.isCentralAsian, BOOLEAN,
                  doc="true for the five Central Asian states"),
            doc="sovereign states"),
    _entity("blocs", SP.SupranationalBloc, doc="supranational blocs such as the European Union"),
    _entity("regions", SP.Region,
            _ref("states", SP.includesState, STATES, many=True),
            doc="world regions the sources treat as one target (Central Asia)"),
    _entity("organisations", SP.Organisation,
            Field("type", SP.organisationType),
            _ref("based_in", SP.basedIn, PLACES),
            _ref("parent", ORG.subOrganizationOf, ACTORS),
            _ref("initiator", SP.initiatedBy, ACTORS, many=True),
            Field("founded", SP.foundedIn, YEAR),
            subtypes={
                "international-organisation": SP.InternationalOrganisation,
                "platform": SP.CooperationPlatform,
                "higher-education-area": SP.HigherEducationArea,
                "university-alliance": SP.UniversityAlliance,
                "think-tank": SP.ThinkTank,
                "research-centre": SP.ResearchCentre,
                "artistic-group": SP.ArtisticGroup,
                "media": SP.MediaOrganisation,
                "foundation": SP.Foundation,
                "council": SP.Council,
                "association": SP.Association,
            }, doc="international and regional organisations, platforms, alliances, "
                   "think tanks, media, foundations, councils"),
    _entity("government_bodies", SP.GovernmentBody,
            Field("type", SP.organisationType),
            _ref("state", SP.governmentBodyOf, STATES + ("blocs",), required=True),
            subtypes={"ministry": SP.Ministry, "agency": SP.Agency,
                      "council": SP.GovernmentCouncil, "office": SP.GovernmentOffice},
            doc="ministries, agencies, government councils"),
    _entity("universities", SP.University,
            _ref("country", SP.homeCountry, STATES, required=True),
            _ref("city", SP.city, ("cities",)),
            Field("founded", SP.foundedIn, YEAR),
            doc="universities (a branch campus is its own kind)"),
    _entity("branch_campuses", SP.BranchCampus,
            _ref("parent", SP.parentInstitution, ("universities",),
                 doc="the university it belongs to, where the source names it"),
            _ref("host_city", SP.hostCity, ("cities",)),
            _ref("host_state", SP.hostState, STATES, required=True),
            _ref("local_partner", SP.localPartner, ("universities", "organisations")),
            Field("opened", SP.openedIn, YEAR),
            Field("status", SP.status, doc="operating, planned or announced"),
            doc="foreign branch campuses and branches"),
    _entity("cultural_centres", SP.CulturalCentre,
            Field("type", SP.organisationType),
            _ref("operator", SP.operatedBy, ACTORS, many=True),
            _ref("sponsor", SP.sponsoredBy, STATES + ("blocs",), many=True),
            _ref("host_city", SP.hostCity, ("cities",)),
            _ref("host_state", SP.hostState, STATES),
            subtypes={"language-centre": SP.LanguageCentre, "cultural-centre": SP.CulturalCentre},
            doc="cultural and language centres (Confucius Institutes, ...)"),
    _entity("companies", SP.Company,
            _ref("country", SP.homeCountry, STATES),
            Field("fields", SP.field, many=True, doc="fields it teaches: AI, ICT, ..."),
            doc="companies, notably those running education programmes"),
    _entity("people", SP.Person,
            _ref("nationality", SP.nationality, STATES),
            _ref("affiliation", SP.affiliation, INSTITUTIONS, many=True),
            Field("occupation", SP.occupation),
            doc="people; their formal roles are role records"),
    _entity("programmes", SP.Programme,
            Field("type", SP.programmeType),
            _ref("funders", SP.fundedBy, ACTORS, many=True),
            _ref("operators", SP.operatedBy, ACTORS + ("programmes",), many=True),
            _ref("reaches", SP.reaches, STATES + ("blocs",), many=True,
                 doc="states whose people it addresses"),
            _ref("destinations", SP.destination, PLACES, many=True,
                 doc="where participants go"),
            *PROGRAMME_LINKS,
            Field("launched", SP.launchedIn, YEAR),
            Field("scale", SP.statedScale, doc="the scale as the source states it"),
            Field("fields", SP.field, many=True),
            subtypes={
                "scholarship": SP.ScholarshipProgramme,
                "exchange": SP.ExchangeProgramme,
                "language": SP.LanguageProgramme,
                "education": SP.EducationProgramme,
                "technology": SP.TechnologyEducationProgramme,
                "development": SP.DevelopmentProgramme,
                "cultural": SP.CulturalProgramme,
                "research": SP.ResearchProgramme,
            }, doc="scholarship, exchange, language, education, technology, development, "
                   "cultural and research programmes"),
    _entity("events", SP.Event,
            Field("type", SP.eventType),
            Field("date", SDO.startDate, DATE),
            Field("end_date", SDO.endDate, DATE),
            YEAR_FIELD,
            _ref("city", SDO.location, ("cities",)),
            _ref("host_state", SP.hostState, STATES),
            _ref("organisers", SP.organisedBy, ACTORS, many=True),
            _ref("participants", SP.participant, ACTORS, many=True),
            _ref("outcomes", SP.outcome, INSTITUTIONS + ("policy_documents", "programmes"),
                 many=True, doc="councils, statements, declarations that came out of it"),
            *PROGRAMME_LINKS,
            subtypes={"conference": SP.Conference, "summit": SP.Summit,
                      "ministerial": SP.Ministerial, "forum": SP.Forum, "survey": SP.Survey,
                      "announcement": SP.Announcement},
            doc="conferences, summits, ministerials, forums, surveys, announcements"),
    _entity("policy_documents", SP.PolicyDocument,
            Field("type", SP.documentType),
            _ref("issuers", SP.issuedBy, ACTORS, many=True),
            YEAR_FIELD,
            _ref("adopted_at", SP.adoptedAt, ("events",)),
            subtypes={"white-paper": SP.WhitePaper, "concept": SP.PolicyConcept,
                      "joint-statement": SP.JointStatement, "declaration": SP.Declaration,
                      "strategy": SP.Strategy, "law": SP.Law, "agreement": SP.Agreement,
                      "report": SP.Report, "communication": SP.OfficialCommunication},
            doc="white papers, concepts, joint statements, declarations, strategies, reports"),
    _entity("cities", SP.City,
            _ref("state", SDO.containedInPlace, STATES, required=True),
            doc="cities"),
    _entity("concepts", SP.AnalyticalConcept,
            Field("definition", SKOS.definition),
            _ref("broader", SKOS.broader, ("concepts",), many=True),
            _ref("related", SKOS.related, ("concepts",), many=True),
            doc="concepts of the analytical framework, with definitions from the sources"),
    _entity("indicators", SP.Indicator,
            Field("definition", SKOS.definition),
            Field("unit", SDO.unitText, doc="default unit"),
            doc="kinds of quantity observed (index rank, student count, ...)"),
    _entity("narratives", SP.LegitimacyNarrative,
            _ref("actor", SP.narrativeOf, ACTORS, required=True),
            doc="legitimacy narratives: how an actor explains its presence"),
    _entity("goals", SP.PolicyGoal,
            _ref("holder", SP.goalOf, ACTORS, required=True,
                 doc="the actor that states or pursues it"),
            _ref("target", SP.goalPlace, PLACES, doc="the state or region it concerns"),
            _ref("instruments", SP.pursuedThrough, INSTRUMENTS, many=True,
                 doc="programmes, institutions, events or documents it is pursued through or "
                     "stated in"),
            _ref("channels", SP.channel, ("channels",), many=True,
                 doc="influence channels it works through"),
            _ref("concepts", DCTERMS.subject, ("concepts",), many=True,
                 doc="concepts of the framework it concerns (the coder's link)"),
            doc="policy goals: what an actor aims at, in the source's words (a regional academic "
                "hub, research quality); a quantitative target is an observation with status "
                "target"),
    _entity("analytical_dimensions", SP.AnalyticalDimension,
            Field("indicator", SP.operationalIndicator),
            Field("typical_material", SP.typicalSourceMaterial),
            Field("question", SP.analyticalQuestion),
            Field("ontology_class", SP.dimensionClass, doc="local name of the sp: class"),
            _ref("values", SP.dimensionValue, tuple(VOCABULARIES), many=True),
            Field("order", SP.order, INTEGER),
            doc="rows of the operationalisation table (Ustemirova, Table 1)"),
    _entity("soft_power_models", SP.SoftPowerModel,
            _ref("actor", SP.modelOf, ACTORS, required=True),
            _ref("narrative", SP.dominantNarrative, ("narratives",)),
            _ref("instruments", SP.mainInstrument, INSTRUMENTS + ("channels",), many=True),
            _ref("channels", SP.channel, ("channels",), many=True),
            Field("strengths", SP.strength, STRENGTHS, many=True),
            Field("constraints", SP.constraint, STRENGTHS, many=True),
            doc="comparative models of influence (Ustemirova, Table 2)"),

    _relation("influence_relations", SP.InfluenceRelation,
              (Truthy("actor", SP.influences, "target"),),
              _ref("actor", SP.actor, ACTORS, required=True),
              _ref("target", SP.target, PLACES, required=True),
              _ref("instrument", SP.instrument, INSTRUMENTS),
              *PROGRAMME_LINKS, YEAR_FIELD,
              doc="an actor projecting influence into a state, through a channel"),
    _relation("memberships", SP.Membership,
              (Truthy("member", ORG.memberOf, "organisation"),),
              _ref("member", ORG.member, ACTORS, required=True),
              _ref("organisation", ORG.organization,
                   ("organisations", "blocs", "programmes"), required=True),
              Field("since", SP.since, YEAR),
              Field("role", SP.roleTitle),
              doc="membership of a state or institution in an organisation or platform"),
    _relation("roles", SP.RoleAssignment,
              (Truthy("person", SP.holdsRoleIn, "organisation"),),
              _ref("person", ORG.member, ("people",), required=True),
              _ref("organisation", ORG.organization, ACTORS + ("programmes",)),
              Field("role", SP.roleTitle, required=True),
              Field("since", SP.since, YEAR),
              doc="a person's role in an institution (minister, author, ambassador, ...)"),
    _relation("investments", SP.Investment,
              (Truthy("investor", SP.investsIn, "recipient"),),
              _ref("investor", SP.investor, ACTORS, required=True),
              _ref("recipient", SP.recipient, ACTORS + ("programmes", "cities"), required=True),
              *MONEY_FIELDS, YEAR_FIELD,
              doc="money committed by an actor to an institution or place"),
    _relation("fundings", SP.ProgrammeFunding,
              (Truthy("funder", SP.funds, "programme"),),
              _ref("funder", SP.funder, ACTORS, required=True),
              _ref("programme", SP.fundedProgramme, ("programmes",), required=True),
              *MONEY_FIELDS, YEAR_FIELD,
              doc="a funder paying for a programme"),
    _relation("student_flows", SP.StudentFlow,
              (Truthy("origin", SP.sendsStudentsTo, "destination"),),
              _ref("origin", SP.origin, STATES + ("blocs",), required=True),
              _ref("destination", SP.destinationState, STATES + ("blocs",), required=True),
              Field("count", SP["count"], INTEGER),
              YEAR_FIELD,
              doc="students from one country studying in another"),
    _relation("partnerships", SP.Partnership,
              (Truthy("parties", SP.partnerOf, "parties", pairwise=True),),
              _ref("parties", SP.party, ACTORS + ("programmes",), many=True, required=True),
              Field("scope", SP.scope),
              *PROGRAMME_LINKS, YEAR_FIELD,
              doc="a partnership between institutions or states"),
    _relation("regional_responses", SP.RegionalResponse,
              (Truthy("respondent", SP.respondsTo, "actor"),),
              _ref("respondent", SP.respondent, STATES + ("blocs", "regions"), required=True,
                   doc="the state or region that responds"),
              _ref("actor", SP.respondsToActor, ACTORS, required=True,
                   doc="the external actor whose influence it responds to"),
              _ref("responses", SP.responseType, ("response_types",), many=True, required=True,
                   doc="acceptance, adaptation, limitation or diversification"),
              _ref("channels", SP.channel, ("channels",), many=True,
                   doc="the actor's influence channels the response concerns"),
              Field("means", SP.responseMeans, many=True,
                    doc="how the respondent responds, in the source's words (national language "
                        "policies, alternative partnerships)"),
              YEAR_FIELD,
              doc="how a state or region responds to an external actor's influence: accepts, "
                  "adapts, limits or diversifies away from it"),

    RecordKind("observations", SP.Observation, (
        Field("id", DCTERMS.identifier),
        _ref("subject", SP.observedEntity, ANY_ENTITY, required=True),
        _ref("indicator", SP.indicator, ("indicators",), required=True),
        Field("value", SDO.value, DECIMAL, required=True),
        Field("unit", SDO.unitText),
        YEAR_FIELD,
        _ref("counterpart", SP.counterpart, ANY_ENTITY,
             doc="the other end, e.g. the country students come from"),
        Field("status", SP.status, doc="actual (default), target, planned or estimate"),
        Field("comparator", SP.comparator,
              doc="exact (default), about, over, at-least, up-to, top"),
        *EVIDENCE_FIELDS,
    ), "observation", doc="an indicator's value for an entity, with unit, year and source"),
)}

OBSERVATION_STATUSES = ("actual", "target", "planned", "estimate")
COMPARATORS = ("exact", "about", "over", "at-least", "up-to", "top", "under")
