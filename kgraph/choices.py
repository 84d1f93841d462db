"""The names kgraph's options choose from, defined once for the library and the command line.

``kgraph --help`` must start at once, so the command line imports none of the libraries
that do the work (rdflib, networkx, the ingest extra's); yet what a command accepts must be
what the library does. Both import these lists from here, and this module imports nothing.
"""

# --- the data ------------------------------------------------------------------------------

#: How strong a fact is, from the strongest to the weakest: its quote says it, the coder
#: concluded it, or nobody has reviewed it yet (what ``kgraph ingest`` writes). Concepts of
#: the ``epistemic_statuses`` vocabulary (``kgraph.schema``).
EPISTEMIC_STATUSES = ("stated", "inferred", "proposed")
#: The status of a fact that names none: its quote says it.
DEFAULT_EPISTEMIC_STATUS = "stated"

#: Source types the data format accepts for a document (the shapes also accept
#: ``reference``, for the general facts the sources presuppose).
SOURCE_TYPES = ("news-analysis", "commentary", "journal-article", "opinion", "report")
#: The type of a source that is a general reference (country codes, geography), cited
#: without a quote: not a document of the corpus.
REFERENCE_SOURCE_TYPE = "reference"

#: Languages of the labels and of the pages' words.
LANGUAGES = ("en", "kk", "ru")
#: Languages ``kgraph ingest`` reads (each has a sentence segmenter).
INGEST_LANGUAGES = ("en", "ru", "kk")

#: Who checks the shapes: pyshacl, SPARQL in Oxigraph, or pyshacl on small graphs and SPARQL
#: on large ones (``kgraph.validate``).
VALIDATORS = ("auto", "pyshacl", "sparql")

# --- outputs -------------------------------------------------------------------------------

#: RDF formats of ``kgraph export``: name on the command line -> (rdflib serializer, file
#: suffix).
RDF_FORMATS = {
    "turtle": ("turtle", "ttl"),
    "nt": ("nt", "nt"),
    "jsonld": ("json-ld", "jsonld"),
    "jsonld-expanded": ("json-ld", "jsonld"),
    "trig": ("trig", "trig"),
    "xml": ("xml", "rdf"),
}
#: Formats of the entity network, in the same shape: name -> (serializer, file suffix).
NETWORK_FORMATS = {
    "graphml": ("graphml", "graphml"),
    "gexf": ("gexf", "gexf"),
}
#: Every format ``kgraph export`` writes: the graph in RDF, or its entity network.
EXPORT_FORMATS = {**RDF_FORMATS, **NETWORK_FORMATS}

#: Formats of SELECT and ASK answers: two for people, the four SPARQL result formats.
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml", "markdown")
#: Formats of CONSTRUCT and DESCRIBE answers (``RDF_FORMATS`` names); a table is Turtle.
GRAPH_FORMATS = ("turtle", "nt", "jsonld", "xml")
#: Every ``--format`` of ``kgraph query``, whatever the form of the query.
QUERY_FORMATS = tuple(dict.fromkeys((*RESULT_FORMATS, *GRAPH_FORMATS)))

#: The formats of record files ``kgraph synth`` writes, by their suffix.
SYNTH_FORMATS = ("yaml", "jsonl")

# --- the network ---------------------------------------------------------------------------

#: Centrality metrics, in column order.
METRICS = ("degree_in", "degree_out", "degree", "pagerank", "pagerank_weighted", "betweenness",
           "eigenvector", "closeness", "community")
#: Metrics a node can be sized by: every centrality but the community number.
SIZE_METRICS = tuple(m for m in METRICS if m != "community")
#: The soft-power indicators, by command-line name.
INDICATORS = ("channel-portfolio", "multivector", "benefactor-balance", "brokerage")
#: What the network page draws: the whole network, the external actors with their channels
#: and the states they reach, or the entities around one.
VIEWS = ("full", "actors-channels", "ego")
