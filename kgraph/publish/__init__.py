"""Publishing the ontology: its documentation page, its RDF/XML and its JSON-LD context.

``kgraph docs -o DIR`` writes what a web server would publish at the ontology's IRI
(``https://w3id.org/softpower/ontology``): the documentation page (``index.html``, made by
pyLODE, self-contained: it loads nothing from anywhere), the ontology in Turtle and RDF/XML,
the vocabularies and the JSON-LD context. ``softpower.owl`` and ``context.jsonld`` are also
shipped in ``ontology/``, derived from the Turtle; a test keeps them in step (``kgraph docs
--no-page -o ontology`` regenerates them). Uses the stages; no stage imports it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import KgraphError
from ..files import write_atomic

PAGE_FILE = "index.html"
#: The derived files, by name, and how each is made from the ontology's Turtle.
DERIVED_FILES = ("softpower.owl", "context.jsonld")


def owl_bytes() -> bytes:
    """The ontology (``softpower.ttl``) in RDF/XML, as Oxigraph writes it: sorted, the same
    bytes for the same ontology."""
    from rdflib import Graph

    from ..build import parse_turtle
    from ..export import serialize
    from ..resources import ontology_file

    return serialize(parse_turtle(ontology_file(), into=Graph()), "xml")


def context_bytes() -> bytes:
    from ..build import load_ontology
    from .context import context_text

    return context_text(load_ontology()).encode("utf-8")


def derived_files() -> dict[str, bytes]:
    """The files derived from the ontology's Turtle, by file name."""
    return {"softpower.owl": owl_bytes(), "context.jsonld": context_bytes()}


def documentation_page() -> str:
    """The ontology's documentation page, made by pyLODE from ``softpower.ttl`` alone (the
    vocabularies live in their own file, so pyLODE sees one ontology and its title)."""
    try:
        from pylode import OntPub
    except ImportError:
        raise KgraphError("The documentation page is made by pyLODE, which is not installed: "
                          "pip install 'kgraph[docs]' (or give --no-page).") from None
    except FileNotFoundError as exc:  # pyLODE 3.4.1 looks for a file its wheel lacks
        raise KgraphError(f"pyLODE cannot start ({exc}); install a working version: "
                          "pip install 'pylode>=3.3.4,!=3.4.1'.") from None
    from ..resources import ontology_file

    return OntPub(str(ontology_file())).make_html()


def publish(folder: Path, page: bool = True) -> list[Path]:
    """Write the publishable files of the ontology into ``folder``; return their paths."""
    from ..resources import ontology_file, vocabulary_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if page:
        written.append(write_atomic(folder / PAGE_FILE, documentation_page()))
    for source in (ontology_file(), vocabulary_file()):
        target = folder / source.name
        if target.resolve() != source.resolve():
            shutil.copyfile(source, target)
            written.append(target)
    for name, payload in derived_files().items():
        written.append(write_atomic(folder / name, payload))
    return written
