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
    click.echo(
        f"Organizations: {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged."
    )
