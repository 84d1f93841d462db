"""Where the bundled ontology, vocabularies, data and queries live, installed or in a checkout.

A wheel (``pip install .``) carries a copy of them inside the package
(``kgraph/bundled/``); a source checkout keeps them at the top level, beside the package,
where researchers edit them, and an editable install (``pip install -e .``) reads them
there. ``kgraph build`` says which it read (:func:`describe_folder`).
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "bundled"


def bundled_path(name: str) -> Path:
    """Path of a bundled folder: ``ontology``, ``data`` or ``queries``."""
    installed = _INSTALLED / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def ontology_file() -> Path:
    """The OWL ontology (classes and properties), in Turtle."""
    return bundled_path("ontology") / "softpower.ttl"


def vocabulary_file() -> Path:
    """The controlled vocabularies (SKOS concept schemes), in Turtle."""
    return bundled_path("ontology") / "vocabularies.ttl"


def shapes_file() -> Path:
    return bundled_path("ontology") / "shapes.ttl"


def owl_file() -> Path:
    """The ontology in RDF/XML, for tools that read no Turtle (owlready2, older OWL tools);
    generated from ``softpower.ttl`` (``kgraph.publish``)."""
    return bundled_path("ontology") / "softpower.owl"


def context_file() -> Path:
    """The JSON-LD context of the compacted JSON-LD export; generated (``kgraph.publish``)."""
    return bundled_path("ontology") / "context.jsonld"


def describe_folder(folder: Path) -> str:
    """A data folder as ``kgraph build`` names it: its full path, and whether it is the
    bundled data from a checkout or the copy installed with the package."""
    folder = Path(folder).resolve()
    if folder == bundled_path("data").resolve():
        where = "the copy installed with kgraph" if folder.is_relative_to(_INSTALLED) else "in the checkout"
        return f"{folder} (the bundled data, {where})"
    return str(folder)


def unread_checkout_data(read: list[Path], here: Path | None = None) -> Path | None:
    """The ``data/`` folder of a kgraph checkout in the working folder when the build read
    another copy of the bundled data instead (after ``pip install .``): a researcher who
    edits it there would otherwise see no change."""
    here = Path.cwd() if here is None else here
    data = here / "data"
    project = here / "pyproject.toml"
    if not (data.is_dir() and project.is_file() and 'name = "kgraph"' in project.read_text("utf-8")):
        return None
    if any(Path(folder).resolve() == data.resolve() for folder in read):
        return None
    return data if bundled_path("data").resolve() in {Path(f).resolve() for f in read} else None
