"""Debian's headless Chromium driven by Selenium, as the browser tests, the screenshots and the page
benchmark use it (``make test``/``make screenshots``/``make bench`` install chromium and chromium-driver)."""

from __future__ import annotations

from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def headless_chromium(width: int = 1280, height: int = 1000, hide_scrollbars: bool = False) -> webdriver.Chrome:
    """A German-speaking headless Chromium in the city's time zone ("today" is the city's day).

    Scrollbars take their width from the page as in a visitor's browser (the reflow test at 320 px
    relies on it); screenshots hide them.
    """
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--lang=de-DE", "--disable-gpu"):  # fmt: skip
        options.add_argument(argument)
    if hide_scrollbars:
        options.add_argument("--hide-scrollbars")
    options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Berlin"})
    return driver
