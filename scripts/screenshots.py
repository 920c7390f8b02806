"""`make screenshots`: pictures of the running portal for the README, in Debian's headless Chromium.

Usage: ``screenshots.py PORTAL_URL OUTPUT_DIR`` (run by ``scripts/screenshots.sh`` with the demo's URL).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.browser import headless_chromium

PAGES = {
    "startseite.png": ("/", 1280),
    "datensatz-schulen.png": ("/dataset/schulen", 1280),
    "parkplatzsuche.png": ("/parken", 1280),
    "karte-kassberg.png": ("/karte?ext_district=Ka%C3%9Fberg", 1280),
    "startseite-smartphone.png": ("/", 390),
}


def main(portal: str, output: Path) -> None:
    driver = headless_chromium(hide_scrollbars=True)
    output.mkdir(parents=True, exist_ok=True)
    try:
        for name, (path, width) in PAGES.items():
            driver.set_window_size(width, 900)
            driver.get(portal.rstrip("/") + path)
            time.sleep(2)  # maps and charts load their data after the page
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(height, 2400))
            time.sleep(0.5)
            driver.save_screenshot(str(output / name))
            print(f"  {output / name}")
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
