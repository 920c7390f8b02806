"""``ckan chemnitz …``: the portal's command-line tools for operators."""

from __future__ import annotations

from pathlib import Path

import click

from ckanext.chemnitz import organizations as organizations_module

# The plugin's CLI blanket registers the public members listed here as ``ckan`` sub-commands.
__all__ = ["chemnitz"]


@click.group(short_help="Tools of the Chemnitz open data portal")
def chemnitz() -> None:
    """Tools of the Chemnitz open data portal."""


@chemnitz.group()
def organizations() -> None:
    """The city's departments as CKAN organizations."""


@organizations.command("sync")
@click.argument("declarations", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option(
    "--member",
    "members",
    multiple=True,
    metavar="USER:ROLE",
    help="Also make USER a member with ROLE (member, editor, admin) of every organization.",
)
def sync(declarations: Path | None, members: tuple[str, ...]) -> None:
    """Create or update the organizations declared in DECLARATIONS (idempotent).

    DECLARATIONS defaults to ``ckanext.chemnitz.organizations`` or the repository's
    ``schemas/organizations.yaml``.
    """
    try:
        declared = organizations_module.load(declarations or organizations_module.declarations_file())
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="DECLARATIONS") from error
    if any(":" not in member for member in members):
        raise click.BadParameter("expected USER:ROLE, e.g. pipelines:editor", param_hint="--member")
    result = organizations_module.sync(declared, dict(member.split(":", 1) for member in members))
    click.echo(str(result))


@chemnitz.group()
def datasets() -> None:
    """Datasets of the portal."""


@datasets.command("purge")
@click.argument("name")
def purge(name: str) -> None:
    """Remove dataset NAME for good, with its DataStore tables and uploaded files.

    CKAN's own purge leaves both behind; this is what scripts/remove-source.sh --purge runs.
    """
    import ckan.plugins.toolkit as tk

    from ckanext.chemnitz.purge import purge_dataset

    try:
        click.echo(str(purge_dataset(name)))
    except tk.ObjectNotFound as error:
        raise click.ClickException(f"No dataset {name!r} in this portal") from error


@chemnitz.command("validate")
@click.option("--url", help="Catalogue to check; default: this portal's /catalog.ttl (every page).")
@click.option(
    "--profile",
    "profiles",
    type=click.Choice(["3.0", "2.0"]),
    multiple=True,
    help="DCAT-AP.de profile(s) to check against (default: both).",
)
@click.option("--verbose", is_flag=True, help="List warnings and infos too, not only violations.")
def validate(url: str | None, profiles: tuple[str, ...], verbose: bool) -> None:
    """Validate the DCAT catalogue, page by page, against the official DCAT-AP.de shapes."""
    import ckan.plugins.toolkit as tk

    from ckanext.chemnitz.dcat import catalog, shacl

    base = url or tk.config["ckan.site_url"].rstrip("/") + "/catalog.ttl"
    failed = False
    for profile in profiles or ("3.0", "2.0"):
        # 2.0 harvesters ask for the 2.0 flavour of the profile (see dcat/profile.py).
        start = catalog.with_profile(base, "dcat_ap_de_2") if profile == "2.0" else base
        graphs = list(catalog.pages(start))
        report = shacl.Report(profile)
        for graph in graphs:
            report.findings += shacl.validate(graph, profile).findings
        click.echo(f"{report.summary()} ({len(graphs)} pages from {start})")
        for finding in report.findings:
            if verbose or finding.severity == "Violation":
                click.echo(f"  {finding.severity}: {finding.focus} {finding.path}: {finding.message}")
        failed = failed or not report.conforms
    if failed:
        raise click.exceptions.Exit(1)
