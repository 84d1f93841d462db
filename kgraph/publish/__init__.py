"""Publishing the ontology: its documentation page, RDF/XML and JSON-LD context.

What ``kgraph docs`` writes: the files a web server would publish at the ontology's IRI
(``https://w3id.org/softpower/ontology``), and the derived files shipped in ``ontology/``
(``softpower.owl``, ``context.jsonld``), which a test keeps in step with the Turtle.
Uses the stages; no stage imports it.
"""
