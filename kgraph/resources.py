"""Where the bundled ontology, data and queries live, installed or in a checkout.

A wheel carries them inside the package (``kgraph/bundled/``); a source checkout keeps them
at the top level, beside the package, where researchers edit them.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_path(name: str) -> Path:
    """Path of a bundled folder: ``ontology``, ``data`` or ``queries``."""
    installed = _PACKAGE / "bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def ontology_file() -> Path:
    return bundled_path("ontology") / "softpower.ttl"


def shapes_file() -> Path:
    return bundled_path("ontology") / "shapes.ttl"
