"""kgraph ingest: grow the graph from new documents, with every fact left to review.

A research assistant's reading work: find which of the graph's entities a text mentions,
propose the facts it states, each with the sentence that states it, and leave the decision
to the researcher. Nothing enters the graph unreviewed: the proposals are a data folder of
their own, every record marked ``epistemic_status: proposed`` with the cue that produced it.

The steps, one module each: ``documents`` (text, HTML, PDF), ``sentences``, ``linking``
(the automaton over every name of the graph and of the ISO countries; ``text`` makes the
name keys, ``countries`` reads ISO 3166 and the countries' adjectives, ``known`` reads the
graph), ``names`` (new entities), ``authors`` (the author blocks of journal articles),
``across`` (facts read across two sentences, words that point back), ``cues`` and
``proposals`` (facts), ``writing`` (the proposals folder and the JSON report); ``pipeline``
runs them. The stages of kgraph (load, build, query, store) are
used, never changed: this package imports them, they never import it.

    from kgraph.ingest import SourceDetails, ingest_files
    ingest_files(["article.html"], kg, SourceDetails(source_id="my-article"))
"""

from .pipeline import Ingester, Ingestion, SourceDetails, Written, ingest_files

__all__ = ["Ingester", "Ingestion", "SourceDetails", "Written", "ingest_files"]
