"""The production compose file (docker/compose.yaml), checked without a container engine: valid
against the Compose Specification, every service supervised, all state in named volumes, no
secret in the repository, every variable documented."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
# Services that run once and exit (migrations); all others run for good.
ONE_SHOT = {"ckan-migrate", "airflow-init"}
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    lines = (DOCKER / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _interpolated(text: str, env: dict[str, str]) -> str:
    """The compose file as `docker compose` sees it with ``env``: ${NAME}, ${NAME:-default}, ${NAME:?message}."""

    def value(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if env.get(name):
            return env[name]
        if operator == ":?":
            raise AssertionError(f"${{{name}}} is required but has no value in .env.example")
        return rest if operator == ":-" else ""

    text = text.replace("$$", "\0")
    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}", value, text).replace("\0", "$")


def test_valid_against_the_compose_specification(compose: dict[str, Any], example_env: dict[str, str]) -> None:
    schema = json.loads((DOCKER / "spec" / "compose-spec.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(compose)
    filled = yaml.safe_load(_interpolated((DOCKER / "compose.yaml").read_text(encoding="utf-8"), example_env))
    jsonschema.Draft7Validator(schema).validate(filled)
    assert filled["services"]["ckan"]["environment"]["CKAN_SITE_URL"] == "https://opendata.stadt-chemnitz.de"


def test_a_broken_compose_file_is_refused() -> None:
    """The check above can fail: a misspelt key is a schema error."""
    schema = json.loads((DOCKER / "spec" / "compose-spec.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="restrat"):
        jsonschema.Draft7Validator(schema).validate({"services": {"ckan": {"image": "x", "restrat": "always"}}})


def test_the_portal_services_are_all_there(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(LONG_RUNNING) | ONE_SHOT == set(services)
    assert services["airflow-worker"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert services["airflow-worker"]["command"] == ["celery", "worker"]
    assert "container_name" not in services["airflow-worker"], "a fixed name would stop --scale"
    assert "ports" not in services["airflow-worker"] and "ports" not in services["ckan"], "only the proxy is exposed"
    assert services["ckan"]["environment"]["CKAN_SOLR_URL"] == "${CKAN_SOLR_URL:-}"


LONG_RUNNING = ["postgres", "redis", "solr", "ckan", "ckan-jobs", "proxy", "airflow-api-server", "airflow-scheduler",
                "airflow-dag-processor", "airflow-triggerer", "airflow-worker"]  # fmt: skip


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_are_health_checked_and_restarted(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert service["restart"] == "unless-stopped"
    check = service["healthcheck"]
    assert not check.get("disable") and check["test"][0] in ("CMD", "CMD-SHELL")


def test_one_shot_services_gate_the_others(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ONE_SHOT:
        assert services[name]["restart"].startswith("on-failure")
    assert services["ckan"]["depends_on"]["ckan-migrate"]["condition"] == "service_completed_successfully"
    assert services["airflow-scheduler"]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_state_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    used = set()
    for name, service in compose["services"].items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("./"):  # configuration from this folder, read-only
                assert mount.endswith(":ro") and (DOCKER / source).is_file(), f"{name}: {mount}"
            else:
                assert source in declared, f"{name}: {source} is not a named volume"
                used.add(source)
    assert used == declared
    assert {"postgres-data", "ckan-storage", "solr-data", "redis-data", "pipeline-work", "pipeline-archive"} <= declared


def test_no_secret_in_the_repository(compose: dict[str, Any], example_env: dict[str, str]) -> None:
    secret = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN")
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if secret.search(key):
                assert "${" in str(value), f"{name}: {key} is written into the compose file"
    for key, value in example_env.items():
        if secret.search(key):
            assert value in ("", "change-me"), f".env.example holds a value for {key}"
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_every_variable_is_listed_and_documented(example_env: dict[str, str]) -> None:
    text = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    referenced = set(VARIABLE.findall(text.replace("$${", "")))
    assert referenced - set(example_env) == set(), "variables of compose.yaml missing in .env.example"
    assert set(example_env) - referenced - {"COMPOSE_PROFILES"} == set(), ".env.example lists unused variables"
    documented = set(re.findall(r"^\| `([A-Z_][A-Z0-9_]*)`", (ROOT / "docs" / "deployment.md").read_text(), re.M))
    container = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+):", text, re.M))
    assert (set(example_env) | container) - documented == set(), "variables missing in docs/deployment.md"
