"""Logging out in real Chromium: the header's "Abmelden" button (a POST with the CSRF token) logs
out; opening the logout URL, as a link or an image on another page would, does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture
def logged_in(browser, portal_url: str, admin_login: tuple[str, str]) -> Iterator[None]:
    browser.delete_all_cookies()
    browser.get(portal_url + "/user/login")
    browser.find_element(By.ID, "field-login").send_keys(admin_login[0])
    browser.find_element(By.ID, "field-password").send_keys(admin_login[1])
    browser.find_element(By.ID, "field-password").submit()
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "form.chemnitz-logout"))
    yield
    browser.delete_all_cookies()


def is_logged_in(browser, portal_url: str) -> bool:
    browser.get(portal_url + "/dataset/")
    return bool(browser.find_elements(By.CSS_SELECTOR, "form.chemnitz-logout"))


def test_opening_the_logout_url_only_asks(browser, portal_url, logged_in):
    browser.get(portal_url + "/user/_logout")
    question = browser.find_element(By.CSS_SELECTOR, "[role='main'] form[method='post']")
    assert "Abmelden" in question.text
    assert is_logged_in(browser, portal_url)
    browser.get(portal_url + "/user/_logout")
    browser.find_element(By.CSS_SELECTOR, "[role='main'] form[method='post'] button[type='submit']").click()
    assert not is_logged_in(browser, portal_url)


def test_the_header_button_logs_out(browser, portal_url, logged_in):
    button = browser.find_element(By.CSS_SELECTOR, "form.chemnitz-logout button[type='submit']")
    assert button.text.strip() == "Abmelden"
    button.click()
    WebDriverWait(browser, 20).until(lambda b: "/user/_logout" not in b.current_url)
    assert not is_logged_in(browser, portal_url)
