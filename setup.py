"""Installs ckanext-chemnitz, the CKAN extension of the Chemnitz open data portal.

The extension's sources live in ``ckanext-chemnitz/`` (namespace package ``ckanext.chemnitz``);
everything else at the repository root (DAGs, schemas, docker, tests) is not part of the package.
"""

from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-chemnitz",
    version="0.1.0",
    description="Chemnitz open data portal: DCAT-AP.de, PostgreSQL search, theme, parking search",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    # What the extension imports at run time (tests and tooling are in requirements/ckan.in, whose lock
    # file requirements/ckan.txt is resolved from this list). The web stack comes with CKAN, which pins it
    # in its "requirements" extra (requirements/ckan.in chooses that); it is named here because the
    # extension imports it directly.
    install_requires=[
        "ckan>=2.12,<2.13",
        "ckanext-dcat>=2.4.4,<2.5",  # RDF profiles, serializer and parser (ckanext.chemnitz.dcat)
        "ckanext-scheming>=3.1,<3.2",  # the dataset schema's presets and validators
        "ckanext-dataset-series>=0.1.1,<0.2",  # dcat:DatasetSeries (in_series)
        "pyshacl>=0.26",  # ckan chemnitz dcat validate: the catalogue against the official SHACL shapes
        "shapely>=2",  # districts and spatial extents of datasets
        "rdflib>=7",
        "alembic",
        "certifi",
        "click",
        "flask>=3",
        "lxml",
        "markupsafe",
        "psycopg2",
        "python-dateutil",
        "pyyaml",
        "redis",
        "sqlalchemy>=2",
        "urllib3>=2",
        "werkzeug>=3",
    ],
    package_dir={"": "ckanext-chemnitz"},
    packages=find_namespace_packages(where="ckanext-chemnitz", include=["ckanext.*"]),
    include_package_data=True,
    package_data={
        "ckanext.chemnitz": [
            "config_declaration.yaml",
            "dcat/*.yaml",
            "migration/*/alembic.ini",
            "migration/*/versions/*.sql",
            "dcat/standards/**/*",
            "templates/**/*",
            "assets/**/*",
            "public/**/*",
            "i18n/**/*",
        ]
    },
    zip_safe=False,
    entry_points={
        "ckan.plugins": [
            "chemnitz = ckanext.chemnitz.plugin:ChemnitzPlugin",
            "chemnitz_search = ckanext.chemnitz.search.plugin:ChemnitzSearchPlugin",
            "chemnitz_table_view = ckanext.chemnitz.previews.plugin:TablePreviewPlugin",
            "chemnitz_map_view = ckanext.chemnitz.previews.plugin:MapPreviewPlugin",
            "chemnitz_csv_downloads = ckanext.chemnitz.security.csv_cells:CsvDownloadsPlugin",
        ],
        "ckan.rdf.profiles": [
            "dcat_ap_de = ckanext.chemnitz.dcat.profile:DCATAPDEProfile",
            "dcat_ap_de_2 = ckanext.chemnitz.dcat.profile:DCATAPDE2Profile",
        ],
    },
)
