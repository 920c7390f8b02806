"""The Dockerfiles of docker/, checked without a container engine: hadolint finds nothing, every
file they copy exists in the build context, and Solr gets exactly the schema of the CKAN it serves."""

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


def test_solr_gets_the_schema_of_the_ckan_it_serves() -> None:
    """docker/solr copies schema.xml out of the CKAN image, from where CKAN's package keeps it; the
    schema there is one CKAN accepts at start-up (ckan.lib.search.SUPPORTED_SCHEMA_VERSIONS)."""
    import ckan
    from ckan.lib.search import SUPPORTED_SCHEMA_VERSIONS

    solr = (ROOT / "docker" / "solr" / "Dockerfile").read_text().replace("\\\n", " ")
    copy = re.search(r"COPY --from=ckan (\S+)\s+(\S+)", solr)
    assert copy, "docker/solr/Dockerfile does not copy the schema from the CKAN image"
    python = re.search(r"^FROM python:(\d+\.\d+)", (ROOT / "docker" / "ckan" / "Dockerfile").read_text(), re.M)
    assert copy.group(1) == f"/opt/ckan/lib/python{python.group(1)}/site-packages/ckan/config/solr/schema.xml"
    assert copy.group(2).endswith("/configsets/ckan/conf/managed-schema.xml")
    installed = Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"
    name = ElementTree.parse(installed).getroot().get("name")
    assert name == f"ckan-{ckan.__version__.rsplit('.', 1)[0]}"
    assert name.removeprefix("ckan-") in SUPPORTED_SCHEMA_VERSIONS
    assert re.search(r"^ckan==2\.12\.", (ROOT / "requirements" / "ckan.txt").read_text(), re.M)
