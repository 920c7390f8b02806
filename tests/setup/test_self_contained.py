"""The repository runs on its own: nothing reads the team's reference library beside the clone.

The team's reference library (fixtures, standards, design; a folder beside the clone) is where data
comes from once, with its provenance; what
the replicas, the extension and the tests need is copied in (``replica/fixtures``,
``ckanext/chemnitz/dcat/standards``). A clone into a folder with nothing beside it must run
``make demo`` and ``make test``; this guards against a path that reaches out of the repository again.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Files that run: code, scripts and configuration (the docs may name the library as a source).
RUNNABLE = re.compile(r"(\.py|\.sh|\.ini|\.conf|\.cfg|\.toml|\.ya?ml|\.json|\.js|Makefile|\.ci/run)$")
# The library's folder name, as a path from the clone or as a quoted path component.
OUTSIDE = re.compile(r"\.\./" + "shared" + r"|[\"']shared[\"']\s*/|/\s*[\"']shared[\"']")


def test_no_code_reads_the_reference_library_beside_the_clone():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = [
        f"{name}:{number}: {line.strip()}"
        for name in tracked.splitlines()
        if RUNNABLE.search(name) and not name.startswith("replica/fixtures/") and (ROOT / name).is_file()
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, "reads the reference library beside the clone at run time:\n" + "\n".join(offenders)


def test_the_city_data_is_in_the_repository_with_its_licence():
    chemnitz = ROOT / "replica" / "fixtures" / "chemnitz"
    assert {p.name for p in chemnitz.glob("*.geojson")} >= {"Schulen.geojson", "Stadtteile.geojson"}
    provenance = (ROOT / "replica" / "fixtures" / "README.md").read_text(encoding="utf-8")
    assert "dl-de/by-2-0" in provenance and "Stadt Chemnitz" in provenance
