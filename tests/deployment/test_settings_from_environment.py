"""The images' entry points outside containers: from a sample environment shaped like
docker/.env.example (hosts pointed at this machine), CKAN writes its configuration, migrates,
and serves the portal; Airflow migrates and answers on its API server."""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from replica.run import free_port
from tests.support.portal import app_main, read_env

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("ckan_image_settings", ROOT / "docker" / "ckan" / "settings.py")
settings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(settings)

CKAN_BIN = ROOT / ".venv" / "ckan" / "bin"
AIRFLOW_BIN = ROOT / ".venv" / "airflow" / "bin"


def _secrets() -> dict[str, str]:
    """The local roles' passwords (.env of make demo): the sample environment logs in as those roles."""
    return read_env(ROOT / ".env")


def _psql(*commands: str) -> None:
    for command in commands:
        # as the database superuser through the Unix socket (peer authentication), as scripts/lib.sh
        switch = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
        subprocess.run([*switch, "psql", "-X", "-q", "-h", "/var/run/postgresql", "-d", "postgres", "-c", command],
                       check=True, capture_output=True)  # fmt: skip


def _wait_for(url: str, process: subprocess.Popen, seconds: int = 120) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.read()
        except OSError:
            time.sleep(1)
    pytest.fail(f"{url} did not answer within {seconds} s")


@pytest.fixture()
def scratch_databases() -> Iterator[None]:
    names = ("ckan_deploy_test", "datastore_deploy_test", "airflow_deploy_test")
    owners = ("ckan_default", "ckan_default", "airflow")
    _psql(*(f"DROP DATABASE IF EXISTS {name}" for name in names))
    _psql(*(f"CREATE DATABASE {name} OWNER {owner}" for name, owner in zip(names, owners, strict=True)))
    yield
    _psql(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in names))


@pytest.fixture()
def database_admin_url() -> Iterator[str]:
    """A superuser that logs in with a password over TCP, as the compose file's ``postgres`` user does
    (the machine's own ``postgres`` has no password: peer authentication only), for this test alone."""
    password = secrets.token_urlsafe(24)
    _psql("DROP ROLE IF EXISTS deploy_test_admin")
    _psql(f"CREATE ROLE deploy_test_admin SUPERUSER LOGIN PASSWORD '{password}'")
    yield f"postgresql://deploy_test_admin:{password}@127.0.0.1:5432/postgres"
    _psql("DROP ROLE IF EXISTS deploy_test_admin")


def test_option_names_follow_ckanext_envvars() -> None:
    uppercase = frozenset({"SECRET_KEY"})
    assert settings.option_name("CKAN__SITE_TITLE", uppercase) == "ckan.site_title"
    assert settings.option_name("CKANEXT__CHEMNITZ__PARKING__DATASET", uppercase) == "ckanext.chemnitz.parking.dataset"
    assert settings.option_name("CKAN___SECRET_KEY", uppercase) == "SECRET_KEY"
    assert settings.option_name("CKAN___BEAKER__SESSION__TYPE", uppercase) == "beaker.session.type"
    assert settings.option_name("CKAN___DEBUG", uppercase) == "debug"
    assert settings.option_name("CKAN_SITE_URL", uppercase) is None  # CKAN reads its own variables itself
    assert settings.option_name("AIRFLOW__CORE__EXECUTOR", uppercase) is None


def test_a_missing_secret_stops_the_container_with_its_name(tmp_path: Path) -> None:
    environment = {"PATH": f"{CKAN_BIN}:{os.environ['PATH']}", "PORTAL_ROOT": str(ROOT),
                   "CKAN_INI": str(tmp_path / "ckan.ini"), "CKAN_SITE_URL": "https://opendata.example",
                   "CKAN_SQLALCHEMY_URL": "postgresql://ckan_default@127.0.0.1/nowhere"}  # fmt: skip
    result = subprocess.run([str(ROOT / "docker" / "ckan" / "entrypoint.sh"), "migrate"], env=environment,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 2
    assert "no value for SECRET_KEY" in result.stderr
    assert not (tmp_path / "ckan.ini").exists()


def test_a_solr_url_switches_the_search_backend(tmp_path: Path) -> None:
    environment = {"PATH": f"{CKAN_BIN}:{os.environ['PATH']}", "PORTAL_ROOT": str(ROOT),
                   "CKAN_INI": str(tmp_path / "ckan.ini"), "CKAN_SITE_URL": "https://opendata.example",
                   "CKAN_SQLALCHEMY_URL": "postgresql://ckan_default@127.0.0.1/nowhere", "CKAN___SECRET_KEY": "s",
                   "CKAN_SOLR_URL": "http://solr:8983/solr/ckan"}  # fmt: skip
    subprocess.run([str(ROOT / "docker" / "ckan" / "entrypoint.sh"), "true"], env=environment, check=True,
                   capture_output=True)  # fmt: skip
    assert app_main(tmp_path / "ckan.ini")["solr_url"] == "http://solr:8983/solr/ckan"


def test_only_sysadmins_create_organizations_and_groups_in_the_image(tmp_path: Path) -> None:
    environment = {"PATH": f"{CKAN_BIN}:{os.environ['PATH']}", "PORTAL_ROOT": str(ROOT),
                   "CKAN_INI": str(tmp_path / "ckan.ini"), "CKAN_SITE_URL": "https://opendata.example",
                   "CKAN_SQLALCHEMY_URL": "postgresql://ckan_default@127.0.0.1/nowhere",
                   "CKAN___SECRET_KEY": "s"}  # fmt: skip
    subprocess.run([str(ROOT / "docker" / "ckan" / "entrypoint.sh"), "true"], env=environment, check=True,
                   capture_output=True)  # fmt: skip
    app = app_main(tmp_path / "ckan.ini")
    for what in ("create_organizations", "create_groups", "delete_organizations", "delete_groups"):
        assert app[f"ckan.auth.user_{what}"] == "false", what


def test_ckan_starts_from_the_environment(tmp_path: Path, scratch_databases: None, database_admin_url: str) -> None:
    secret = _secrets()
    port = free_port()
    database = "postgresql://{}:{}@127.0.0.1:5432/{}"
    environment = {
        "PATH": f"{CKAN_BIN}:{os.environ['PATH']}",
        "PORTAL_ROOT": str(ROOT),
        "CKAN_INI": str(tmp_path / "var" / "ckan.ini"),
        "CKAN_BIND": f"127.0.0.1:{port}",
        "CKAN_WORKERS": "2",
        "CKAN_SITE_URL": f"http://127.0.0.1:{port}",
        "CKAN_SITE_ID": "chemnitz-deploy-test",
        "CKAN_SQLALCHEMY_URL": database.format("ckan_default", secret["CKAN_DB_PASSWORD"], "ckan_deploy_test"),
        "CKAN_DATASTORE_WRITE_URL": database.format(
            "datastore_write", secret["DATASTORE_WRITE_PASSWORD"], "datastore_deploy_test"
        ),
        "CKAN_DATASTORE_READ_URL": database.format(
            "datastore_ro", secret["DATASTORE_RO_PASSWORD"], "datastore_deploy_test"
        ),
        "CKAN_REDIS_URL": "redis://127.0.0.1:6379/4",
        "CKAN_SOLR_URL": "",
        "CKAN_STORAGE_PATH": str(tmp_path / "storage"),
        "CKAN___SECRET_KEY": "a-secret-only-this-test-knows",
        "CKANEXT__CHEMNITZ__MAP__TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",
        "POSTGRES_ADMIN_URL": database_admin_url,
    }
    entrypoint = str(ROOT / "docker" / "ckan" / "entrypoint.sh")
    migrated = subprocess.run([entrypoint, "migrate"], env=environment, capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    app = app_main(tmp_path / "var" / "ckan.ini")
    assert app["SECRET_KEY"] == "a-secret-only-this-test-knows"
    assert app["ckanext.chemnitz.map.tile_url"] == "http://127.0.0.1:9/{z}/{x}/{y}.png"
    assert app["licenses_group_url"] == f"file://{tmp_path / 'var'}/licenses.json"
    assert app["ckan.plugins"].startswith("chemnitz_search chemnitz datastore")
    assert app["solr_url"] == ""  # no CKAN_SOLR_URL: the PostgreSQL search backend

    server = subprocess.Popen([entrypoint, "serve"], env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/3/action/status_show", server)
        home = _wait_for(f"http://127.0.0.1:{port}/", server).decode()
        assert "Offene Daten Chemnitz" in home and 'lang="de"' in home
        # The PostgreSQL search backend answers when CKAN_SOLR_URL is empty.
        search = _wait_for(f"http://127.0.0.1:{port}/api/3/action/package_search?q=Schule", server)
        assert b'"success": true' in search
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_airflow_starts_from_the_environment(tmp_path: Path, scratch_databases: None) -> None:
    secret = _secrets()
    port = free_port()
    connection = f"airflow:{secret['AIRFLOW_DB_PASSWORD']}@127.0.0.1:5432/airflow_deploy_test"
    environment = {
        "PATH": f"{AIRFLOW_BIN}:{os.environ['PATH']}",
        "PORTAL_ROOT": str(ROOT),
        "PYTHONPATH": str(ROOT / "dags"),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{connection}",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__FERNET_KEY": "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMta2V5LWhlcmU=",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/airflow/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}/airflow",
        "AIRFLOW__API_AUTH__JWT_SECRET": "a-jwt-secret-only-this-test-knows",
        "AIRFLOW__CELERY__BROKER_URL": "redis://127.0.0.1:6379/5",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{connection}",
        "AIRFLOW_ADMIN_PASSWORD": "sample-password",
        "AIRFLOW_CONN_CKAN": '{"conn_type": "http", "host": "http://127.0.0.1:9", "password": ""}',
    }
    entrypoint = str(ROOT / "docker" / "airflow" / "entrypoint.sh")
    initialised = subprocess.run([entrypoint, "init"], env=environment, capture_output=True, text=True)
    assert initialised.returncode == 0, initialised.stderr[-2000:]
    executor = subprocess.run([entrypoint, "config", "get-value", "core", "executor"], env=environment,
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert executor.strip() == "CeleryExecutor"

    server = subprocess.Popen([entrypoint, "api-server"], env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/airflow/api/v2/monitor/health", server, seconds=180)
        assert b'"metadatabase":{"status":"healthy"}' in health.replace(b" ", b"")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
