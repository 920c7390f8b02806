"""The runbook's commands run as written: every `ckan …` command that docs/operations.md names is
one CKAN knows, with those options (CKAN's own parser, asked for the command's help), and the ones
that are safe on a running portal run against the test portal and answer as the runbook says.
"""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from tests.support.portal import INI, NOT_STARTED, ROOT

RUNBOOK = ROOT / "docs" / "operations.md"
CKAN = ROOT / ".venv" / "ckan" / "bin" / "ckan"
# A `ckan …` command in a code span or an indented block, also as the deployment runs it in its container.
COMMAND = re.compile(r"(?:`|^ {4})(?:docker compose run --rm ckan )?(ckan [^`#\n]+?)\s*(?:`|#|$)", re.M)

# Commands that change nothing or only repeat what is there, and what each must print.
SAFE = {
    "ckan search-index check": "Packages not indexed = 0 out of",
    "ckan search-index list-unindexed": "Found 0 unindexed package(s).",
    "ckan search-index rebuild --only-missing": "",
    "ckan search-index rebuild": "",
    "ckan user token list pipelines": "",
    "ckan chemnitz organizations sync --member pipelines:editor": "",
}


def documented() -> list[str]:
    """The runbook's `ckan` commands, line breaks inside a code span joined."""
    text = re.sub(r"`[^`]+`", lambda span: " ".join(span.group().split()), RUNBOOK.read_text(encoding="utf-8"))
    return sorted({match.group(1) for match in COMMAND.finditer(text)})


def test_the_runbook_names_the_safe_commands_as_they_are_run_here():
    assert set(SAFE) <= set(documented()), sorted(set(SAFE) - set(documented()))


def _ckan(*words: str) -> subprocess.CompletedProcess:
    """The ``ckan`` command of the test portal (its plugins' commands included), as the runbook's."""
    if not INI.exists():
        pytest.fail(NOT_STARTED)
    return subprocess.run([CKAN, "-c", INI, *words], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", documented())
def test_every_documented_ckan_command_exists_with_its_options(command):
    words = [re.sub(r"<[^>]+>", "placeholder", word) for word in shlex.split(command)[1:]]
    result = _ckan(*words, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout, f"{command}: {result.stderr[-500:]}"


@pytest.mark.parametrize(("command", "expected"), SAFE.items(), ids=list(SAFE))
def test_the_safe_commands_run_against_the_test_portal(command, expected):
    result = _ckan(*shlex.split(command)[1:])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert expected in result.stdout + result.stderr
