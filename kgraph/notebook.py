"""What kgraph's objects look like in a Jupyter notebook: tables, and the network page.

Query results, graphs and counts display as HTML tables (``_repr_html_``) and turn into
pandas data frames (``to_pandas()``, where pandas is installed: it is an optional
dependency). The interactive page (``kgraph.viz``) is a whole HTML document: inserted into a
notebook as it is, it loses its sizing (a graph area of height 0) and shares element ids
with every other output, so a second page breaks the first. It is embedded instead in an
``<iframe srcdoc>``, which gives it a document, a size and ids of its own, any number of
times; the page's own Content-Security-Policy still forbids every request.
"""

from __future__ import annotations

import html

#: Rows a table shows in a notebook; ``to_pandas()`` has them all.
MAX_HTML_ROWS = 200
#: Height of an embedded page, in CSS pixels.
PAGE_HEIGHT = 640


def html_table(columns: list[str], rows: list[list[str]], total: int | None = None) -> str:
    """An HTML table of texts (escaped), at most ``MAX_HTML_ROWS`` rows, saying how many
    more there are."""
    total = len(rows) if total is None else total
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in rows[:MAX_HTML_ROWS])
    more = (f"<p>{MAX_HTML_ROWS} of {total} rows shown; <code>to_pandas()</code> has them all.</p>"
            if total > MAX_HTML_ROWS else f"<p>{total} row{'s' if total != 1 else ''}</p>")
    return f'<table class="kgraph"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'


def embedded_page(page_html: str, height: int = PAGE_HEIGHT) -> str:
    """The page in an iframe of its own (``srcdoc``): scripts run, nothing else is allowed
    (no access to the notebook, no navigation, no request)."""
    return (f'<iframe srcdoc="{html.escape(page_html, quote=True)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {int(height)}px; border: 1px solid #d5d8dc" '
            'title="kgraph network page" loading="eager"></iframe>')


def data_frame(records: list[dict], columns: list[str]):
    """A pandas data frame of plain records, or a clear error where pandas is missing."""
    try:
        import pandas
    except ImportError:
        from .errors import KgraphError

        raise KgraphError("to_pandas() needs pandas, which is not installed: "
                          "pip install pandas (or 'kgraph[notebook]').") from None
    return pandas.DataFrame.from_records(records, columns=columns)
