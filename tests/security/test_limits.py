"""Abuse limits as an attacker meets them: wrong passwords, feedback spam, long or many SQL queries, the
user list. Real Redis (the test configuration's own database) and PostgreSQL; a client's address is the
test client's REMOTE_ADDR, as gunicorn (or ProxyFix behind the proxy) hands it to CKAN."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import ckan.lib.redis as ckan_redis
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html
from redis import ConnectionPool

from replica.run import free_port
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", f"{PORTAL_PLUGINS} datastore activity"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),
    pytest.mark.usefixtures("with_plugins", "clean_feedback_db", "clean_db_with_plugin_tables", "clean_index"),
]
PASSWORD = "Richtiges-Passwort-1"
ATTACKER, NEIGHBOUR = "203.0.113.66", "198.51.100.7"
LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in 15 Minuten erneut."
PORTAL_CONF = dict(
    line.split(" = ", 1)
    for line in (Path(__file__).parents[2] / "config" / "ckan-portal.conf").read_text(encoding="utf-8").splitlines()
    if " = " in line and not line.startswith("#")
)


def page_text(response) -> str:
    return " ".join(html.fromstring(response.get_data(as_text=True)).text_content().split())


def attempt(app, login: str, password: str, address: str = ATTACKER, forwarded_for: str | None = None):
    """One login through the form, in a browser of its own (fresh session) at ``address``."""
    browser = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = html.fromstring(browser.get("/user/login", environ_base={"REMOTE_ADDR": address}).get_data())
    token = form.xpath("//input[@name='_csrf_token']/@value")[0]
    data = {"login": login, "password": password, "_csrf_token": token}
    return browser.post(
        "/user/login", data=data, headers=headers, environ_base={"REMOTE_ADDR": address}, follow_redirects=False
    )


def logged_in(answer) -> bool:
    return answer.status_code == 302


def expire_login_limits() -> None:
    """Fifteen minutes pass: the lockout keys expire (as Redis would let them)."""
    redis = ckan_redis.connect_to_redis()
    for key in redis.scan_iter("*:chemnitz:limits:login:*"):
        redis.pexpire(key, 1)
    time.sleep(0.01)


# --- login ------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(app):
    victim, other = factories.User(password=PASSWORD), factories.User(password=PASSWORD)
    for _ in range(5):
        failed = attempt(app, victim["name"], "geraten")
        assert failed.status_code == 200 and "Anmeldung fehlgeschlagen" in page_text(failed)

    for login, address in [(victim["name"], ATTACKER), (victim["email"], ATTACKER), (victim["name"], NEIGHBOUR)]:
        refused = attempt(app, login, PASSWORD, address)  # the right password, by name or e-mail, anywhere
        assert refused.status_code == 429, login
        assert LOCKED in page_text(refused)
    assert logged_in(attempt(app, other["name"], PASSWORD))  # other accounts from that address are not locked

    expire_login_limits()
    assert logged_in(attempt(app, victim["name"], PASSWORD))


def test_a_successful_login_resets_the_accounts_count(app):
    user = factories.User(password=PASSWORD)
    for _ in range(2):
        for _ in range(4):
            attempt(app, user["name"], "vertippt", NEIGHBOUR)
        assert logged_in(attempt(app, user["name"], PASSWORD, NEIGHBOUR))
    for _ in range(5):
        attempt(app, user["name"], "vertippt", NEIGHBOUR)
    assert attempt(app, user["name"], PASSWORD, NEIGHBOUR).status_code == 429


def test_twenty_failures_from_one_address_lock_that_address_for_every_account(app):
    user = factories.User(password=PASSWORD)
    for number in range(20):  # one guess each for twenty accounts, none of them locked by itself
        assert attempt(app, f"konto-{number}", "Sommer2024").status_code == 200
    refused = attempt(app, user["name"], PASSWORD)
    assert refused.status_code == 429 and LOCKED in page_text(refused)
    assert logged_in(attempt(app, user["name"], PASSWORD, NEIGHBOUR))


def test_a_forged_forwarded_for_header_does_not_change_the_address(app):
    """Without a trusted proxy configured, X-Forwarded-For is the client's own claim and ignored."""
    user = factories.User(password=PASSWORD)
    for number in range(20):
        attempt(app, f"konto-{number}", "Sommer2024", forwarded_for=f"192.0.2.{number}")
    assert attempt(app, user["name"], PASSWORD, forwarded_for="192.0.2.99").status_code == 429


@pytest.mark.ckan_config("ckanext.chemnitz.limits.trusted_proxies", "1")
def test_behind_the_proxy_the_address_the_proxy_saw_counts(app):
    """nginx appends the client's address to X-Forwarded-For; only that last entry is believed."""
    user, proxy = factories.User(password=PASSWORD), "172.18.0.5"
    for number in range(20):  # a forged first entry each time
        attempt(app, f"konto-{number}", "Sommer2024", proxy, forwarded_for=f"192.0.2.{number}, {ATTACKER}")
    assert attempt(app, user["name"], PASSWORD, proxy, forwarded_for=ATTACKER).status_code == 429
    assert logged_in(attempt(app, user["name"], PASSWORD, proxy, forwarded_for=NEIGHBOUR))


@pytest.fixture
def redis_down(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = ConnectionPool.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    monkeypatch.setattr(ckan_redis, "_connection_pool", closed)


def test_without_redis_logins_work_unthrottled_and_say_so_in_the_log(app, redis_down, caplog):
    user = factories.User(password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="ckanext.chemnitz.limits"):
        for _ in range(6):
            attempt(app, user["name"], "geraten")
        assert logged_in(attempt(app, user["name"], PASSWORD))
    assert "login attempts not limited, Redis unavailable" in caplog.text


# --- feedback form ----------------------------------------------------------------------------------


def post_feedback(app, message: str, address: str = ATTACKER):
    browser = app.test_client()
    form = html.fromstring(browser.get("/barrierefreiheit", environ_base={"REMOTE_ADDR": address}).get_data())
    token = form.xpath("//input[@name='_csrf_token']/@value")[0]
    data = {"message": message, "page": "/parken", "_csrf_token": token}
    return browser.post("/barrierefreiheit", data=data, environ_base={"REMOTE_ADDR": address}, follow_redirects=False)


def test_the_feedback_form_takes_five_messages_per_address_in_ten_minutes(app):
    for number in range(5):
        assert post_feedback(app, f"Werbung {number}").status_code == 302
    refused = post_feedback(app, "Werbung 5")
    assert refused.status_code == 429
    assert 590 <= int(refused.headers["Retry-After"]) <= 600  # the ten minutes from the first message
    page = html.fromstring(refused.get_data(as_text=True))
    assert ("Sie haben zu viele Rückmeldungen in kurzer Zeit gesendet. Bitte versuchen Sie es in 10 Minuten erneut."
            in " ".join(page.xpath("//*[@role='alert']")[0].text_content().split()))  # fmt: skip
    assert page.xpath("//textarea[@id='feedback-message']/text()") == ["Werbung 5"]  # nothing typed is lost

    by_api = app.post("/api/3/action/chemnitz_accessibility_feedback_create", json={"message": "Werbung 6"},
                      environ_base={"REMOTE_ADDR": ATTACKER})  # fmt: skip
    assert by_api.status_code == 429 and by_api.json["error"]["__type"] == "Too Many Requests"

    assert post_feedback(app, "Die Karte ist nicht bedienbar.", NEIGHBOUR).status_code == 302
    stored = [record["message"] for record in helpers.call_action("chemnitz_accessibility_feedback_list")]
    assert sorted(stored) == ["Die Karte ist nicht bedienbar.", *(f"Werbung {n}" for n in range(5))]


# --- datastore_search_sql ---------------------------------------------------------------------------

SQL = "/api/3/action/datastore_search_sql"
CROSS_JOIN = "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b"


def test_a_cross_join_is_cancelled_after_five_seconds_with_a_clear_error(app):
    started = time.monotonic()
    answer = app.get(SQL, query_string={"sql": CROSS_JOIN}, status=409)
    assert 4.5 < time.monotonic() - started < 15  # CKAN's own limit was 60 s
    assert answer.json["error"]["query"] == [
        "The query was cancelled: it ran longer than the statement timeout of 5 seconds."
    ]


def test_the_parking_charts_query_still_answers(app, clean_datastore):
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = helpers.call_action("package_create", context={"user": editor["name"]}, **school_dataset(org["id"]))
    history = helpers.call_action(
        "resource_create", context={"user": editor["name"]}, package_id=dataset["id"], url="", url_type="datastore"
    )
    helpers.call_action(
        "datastore_create", context={"user": editor["name"]}, resource_id=history["id"], force=True,
        fields=[{"id": "car_park", "type": "text"}, {"id": "free", "type": "int"}],
        records=[{"car_park": "galerie-roter-turm", "free": 120}, {"car_park": "rathaus", "free": 3}],
    )  # fmt: skip
    sql = f"SELECT free FROM \"{history['id']}\" WHERE car_park = 'rathaus'"
    assert app.get(SQL, query_string={"sql": sql}, status=200).json["result"]["records"] == [{"free": 3}]


def running_cross_joins() -> int:
    from ckanext.datastore.backend.postgres import get_read_engine
    from sqlalchemy import text

    with get_read_engine().connect() as connection:
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%generate_series(1, 100000)%'"
        )
        return connection.execute(text(sql)).scalar() - 1  # this query itself matches


@pytest.mark.ckan_config("ckanext.chemnitz.limits.sql.timeout_seconds", "3")
def test_sql_queries_run_one_per_client_and_two_on_the_whole_portal(app):
    answers: dict[str, int] = {}

    def cross_join(address: str) -> None:
        answer = app.test_client().get(SQL, query_string={"sql": CROSS_JOIN}, environ_base={"REMOTE_ADDR": address})
        answers[address] = answer.status_code

    threads = [threading.Thread(target=cross_join, args=(address,)) for address in (ATTACKER, NEIGHBOUR)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while running_cross_joins() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running_cross_joins() == 2

    second = app.get(SQL, query_string={"sql": "SELECT 1 AS eins"}, environ_base={"REMOTE_ADDR": ATTACKER})
    assert second.status_code == 429
    assert second.json["error"]["message"] == (
        "Too many queries: one datastore_search_sql query per client may run at a time; "
        "wait for the running one to finish."
    )
    third = app.get(SQL, query_string={"sql": "SELECT 1 AS eins"}, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert third.status_code == 429
    assert "2 datastore_search_sql queries are running on the portal" in third.json["error"]["message"]

    for thread in threads:
        thread.join()
    assert answers == {ATTACKER: 409, NEIGHBOUR: 409}
    again = app.get(SQL, query_string={"sql": "SELECT 1 AS eins"}, environ_base={"REMOTE_ADDR": ATTACKER})
    assert again.json["result"]["records"] == [{"eins": 1}]  # the slots are free again


# --- the user list ----------------------------------------------------------------------------------


@pytest.mark.ckan_config("ckan.auth.public_user_details", PORTAL_CONF.get("ckan.auth.public_user_details", "true"))
def test_only_sysadmins_list_users_and_pages_that_show_users_still_work(app):
    admin = factories.Sysadmin(name="stadt-admin")
    editor = factories.User(name="tiefbau-editor")
    org = factories.Organization(name="tiefbauamt", users=[{"name": editor["name"], "capacity": "admin"}])
    dataset = helpers.call_action("package_create", context={"user": editor["name"]}, **school_dataset(org["id"]))
    token = {who["name"]: {"Authorization": factories.APIToken(user=who["name"])["token"]} for who in (admin, editor)}

    for headers in ({}, token[editor["name"]]):
        app.get("/user/", headers=headers, status=403)
        app.get("/api/3/action/user_list", headers=headers, status=403)
    app.get(f"/user/{admin['name']}", status=403)
    app.get("/api/3/action/user_show", query_string={"id": admin["name"]}, status=403)
    listed = app.get("/api/3/action/user_list", headers=token[admin["name"]], status=200).json["result"]
    assert {user["name"] for user in listed} >= {"stadt-admin", "tiefbau-editor"}
    user_links = html.fromstring(app.get("/user/", headers=token[admin["name"]], status=200).body).xpath("//a/@href")
    assert "/user/tiefbau-editor" in user_links

    own = app.get(f"/user/{editor['name']}", headers=token[editor["name"]], status=200)
    assert editor["fullname"] in page_text(own)
    shown = page_text(app.get(f"/dataset/{dataset['name']}", status=200))
    assert "Stadt Chemnitz, Schulverwaltungsamt" in shown  # publisher and contact
    app.get(f"/dataset/activity/{dataset['name']}", status=200)
    # an organization admin still finds users by name to add them as members
    found = app.get("/api/2/util/user/autocomplete", query_string={"q": "stadt"}, headers=token[editor["name"]])
    assert [user["name"] for user in found.json] == ["stadt-admin"]
    app.get("/api/2/util/user/autocomplete", query_string={"q": "stadt"}, status=403)
