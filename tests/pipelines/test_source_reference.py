"""The field reference of the source files in docs/pipelines.md is generated from the JSON schema
(scripts/source_reference.py) and up to date with it: regenerating it changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys

from pipelines import config

SCRIPT = config.REPOSITORY / "scripts" / "source_reference.py"


def test_the_docs_field_reference_is_up_to_date_with_the_schema():
    result = subprocess.run([sys.executable, SCRIPT, "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_reference_has_a_row_with_a_description_for_every_setting_the_schema_knows():
    docs = (config.REPOSITORY / "docs" / "pipelines.md").read_text(encoding="utf-8")
    schema = json.loads(config.SCHEMA.read_text(encoding="utf-8"))
    settings = [*schema["properties"], *(f"source.{name}" for name in schema["$defs"]["source"]["properties"]),
                *(f"fields.<name>.{name}" for name in schema["$defs"]["field"]["properties"]),
                "withheld.<name>.reason", "dataset.<name>", "source.endpoints.city", "geometry.x"]  # fmt: skip
    rows = {line.split(" | ")[0].strip("| `"): line for line in docs.splitlines() if line.startswith("| `")}
    for setting in settings:
        assert setting in rows, setting
        assert rows[setting].rstrip(" |").split(" | ")[-1], f"{setting} has no description"
    assert "| `source.layer` | text | when `source.type` is `wfs` |" in rows["source.layer"]
    assert "| `key` | text | unless `datastore` is `false` |" in rows["key"]
