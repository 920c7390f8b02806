"""Set-up faults stop `make demo`/`make test` with a message saying what is wrong and what to do."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_lib(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` after sourcing scripts/lib.sh, with run state kept in ``tmp_path``."""
    environment = {**os.environ, **env}
    command = f'source "{ROOT}/scripts/lib.sh"; RUN="{tmp_path}"; VAR="{tmp_path}"; {script}'
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=environment, timeout=60)


def test_unreachable_postgresql(tmp_path):
    result = run_lib("ensure_postgres", tmp_path, PGHOST="127.0.0.2", PGPORT="1")
    assert result.returncode == 1
    assert "ERROR: PostgreSQL is not reachable on 127.0.0.2:1." in result.stderr
    assert "What to do: Start it" in result.stderr


def test_port_taken(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        result = run_lib(f'require_port_free {port} "the portal (CKAN)"', tmp_path)
    assert result.returncode == 1
    assert f"ERROR: Port {port}, which the portal (CKAN) needs, is already in use by" in result.stderr
    assert f"(pid {os.getpid()})" in result.stderr
    assert "make stop" in result.stderr


def test_port_free_passes(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert run_lib(f"require_port_free {port} portal", tmp_path).returncode == 0


@pytest.fixture
def failing_apt(tmp_path: Path) -> Path:
    """An apt-get that fails the way it does for a package no configured source has."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "apt-get"
    fake.write_text('#!/bin/sh\n[ "$1" = update ] && exit 0\necho "E: Unable to locate package $*" >&2\nexit 100\n')
    fake.chmod(0o755)
    return bin_dir


@pytest.mark.skipif(os.geteuid() != 0, reason="installs packages as root, as make demo does in CI")
def test_debian_package_that_cannot_be_installed(tmp_path, failing_apt):
    result = run_lib(
        "ensure_packages chemnitz-portal-no-such-package",
        tmp_path,
        PATH=f"{failing_apt}:{os.environ['PATH']}",
    )
    assert result.returncode == 1
    assert "ERROR: Could not install the Debian package(s) chemnitz-portal-no-such-package" in result.stderr
    assert "Unable to locate package" in result.stderr
    assert "What to do: Install them yourself (sudo apt-get install chemnitz-portal-no-such-package)" in result.stderr


def test_installed_packages_are_not_reinstalled(tmp_path, failing_apt):
    # bash is installed everywhere; the failing apt-get would be called if it were not detected.
    result = run_lib("ensure_packages bash", tmp_path, PATH=f"{failing_apt}:{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
