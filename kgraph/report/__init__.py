"""The report: the pictures and pages a researcher of soft power would show or cite.

Briefs per external actor and per Central Asian state, the side-by-side comparison of the
field (China, Russia, the United States), network-wide charts, and a static site that
links them with the network page and the downloads. It uses the stages (query, network,
indicators, viz) and no stage imports it; ``kgraph build`` calls :func:`site.write_site`
through one import inside its function.

One module per piece: ``context`` gathers what the pages say from the graph, once;
``explain`` turns each number into a sentence with its rank; ``charts`` draws static SVG
with matplotlib; ``pages`` assembles and renders the briefs, the comparison and the charts
page from Jinja2 templates; ``site`` writes the whole site.
"""

from .context import ReportContext, gather
from .pages import brief_page, charts_page, comparison_page
from .site import write_site

__all__ = ["ReportContext", "gather", "brief_page", "charts_page", "comparison_page", "write_site"]
