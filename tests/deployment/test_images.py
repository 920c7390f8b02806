"""The Dockerfiles of docker/, checked without a container engine: hadolint finds nothing, every
file they copy exists in the build context, and Solr's schema is one the CKAN it serves accepts."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = sorted((ROOT / "docker").glob("*/Dockerfile"))
HADOLINT = Path(sys.executable).with_name("hadolint")


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_hadolint_finds_nothing(dockerfile: Path) -> None:
    config = ROOT / "docker" / ".hadolint.yaml"
    result = subprocess.run([str(HADOLINT), "--config", str(config), str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_notice_a_mistake(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN cd /srv && pip install ckan\n")
    result = subprocess.run([str(HADOLINT), str(bad)], capture_output=True, text=True)
    assert result.returncode != 0 and "DL3003" in result.stdout  # cd in RUN instead of WORKDIR


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_copied_files_exist_in_the_build_context(dockerfile: Path) -> None:
    """The compose file builds with the repository root as context: a COPY of a missing file breaks the build."""
    for line in dockerfile.read_text().replace("\\\n", " ").splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _target = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"{dockerfile.relative_to(ROOT)}: COPY {source} does not exist"


def test_images_install_the_locked_requirements() -> None:
    ckan = (ROOT / "docker" / "ckan" / "Dockerfile").read_text()
    airflow = (ROOT / "docker" / "airflow" / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements/ckan.txt" in ckan
    assert "pip install --no-cache-dir -r requirements/airflow.txt" in airflow
    assert re.search(r"^apache-airflow-providers-celery==", (ROOT / "requirements" / "airflow.txt").read_text(), re.M)


def test_solr_gets_the_configset_whose_schema_version_the_ckan_it_serves_accepts() -> None:
    """docker/solr copies the portal's configset (docker/solr/conf, also run by scripts/solr.sh); its
    schema.xml names the version of the installed CKAN, which CKAN checks at start-up
    (ckan.lib.search.SUPPORTED_SCHEMA_VERSIONS): a CKAN upgrade fails here until the schema follows."""
    import ckan
    from ckan.lib.search import SUPPORTED_SCHEMA_VERSIONS

    solr = (ROOT / "docker" / "solr" / "Dockerfile").read_text().replace("\\\n", " ")
    assert re.search(r"^COPY docker/solr/conf /opt/solr/server/solr/configsets/ckan/conf$", solr, re.M)
    name = ElementTree.parse(ROOT / "docker" / "solr" / "conf" / "schema.xml").getroot().get("name")
    assert name == f"ckan-{ckan.__version__.rsplit('.', 1)[0]}"
    assert name.removeprefix("ckan-") in SUPPORTED_SCHEMA_VERSIONS
    assert re.search(r"^ckan==2\.12\.", (ROOT / "requirements" / "ckan.txt").read_text(), re.M)
