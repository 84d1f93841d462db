"""Take the screenshots of docs/report.md and the README again: the landing page, the brief
of China, the comparison and the network page, from a fresh build of the bundled data, in
headless Chromium (Debian's chromium through Playwright).

    python docs/make_screenshots.py          # writes docs/images/*.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
#: Screenshot name, page of the site, height of the top part shown (CSS pixels).
SHOTS = (("site-index.png", "index.html", 1000), ("brief-china.png", "briefs/china.html", 1250),
         ("comparison.png", "compare.html", 1100), ("network.png", "graph.html", 800))


def main() -> None:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "kgraph", "build", "-q", "-o", folder], check=True,
                       capture_output=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            for name, page_path, height in SHOTS:
                page = browser.new_page(viewport={"width": 1200, "height": height})
                page.goto((Path(folder) / page_path).as_uri())
                if page_path == "graph.html":
                    page.wait_for_function("() => window.kgraph && kgraph.isStabilised()", timeout=120_000)
                page.screenshot(path=str(IMAGES / name))
                page.close()
                print(f"wrote {IMAGES / name}")
            browser.close()


if __name__ == "__main__":
    main()
