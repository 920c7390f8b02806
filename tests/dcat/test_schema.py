"""The DCAT-AP.de schema on the API: complete datasets are stored, broken ones refused per field."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import EU, school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]



def test_a_complete_dataset_is_stored_with_vocabulary_uris(org):
    created = helpers.call_action("package_create", **school_dataset(org["id"]))
    shown = helpers.call_action("package_show", id=created["id"])
    assert shown["theme"] == [EU + "data-theme/EDUC", EU + "data-theme/REGI"]
    assert shown["license_id"] == "dl-by-de/2.0"
    assert shown["license_url"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert shown["publisher"][0]["name"] == "Stadt Chemnitz, Schulverwaltungsamt"
    assert shown["spatial_coverage"][0]["bbox"].startswith('{"type":"Polygon"')
    assert shown["language"] == [EU + "language/DEU"]


def test_defaults_licence_language_access_rights_attribution(org):
    dataset = school_dataset(org["id"])
    for key in ("license_id", "language", "access_rights", "license_attribution_by_text"):
        del dataset[key]
    shown = helpers.call_action("package_create", **dataset)
    assert shown["license_id"] == "dl-by-de/2.0"
    assert shown["license_title"] == "Datenlizenz Deutschland Namensnennung 2.0"
    assert shown["language"] == [EU + "language/DEU"]
    assert shown["access_rights"] == EU + "access-right/PUBLIC"
    assert shown["license_attribution_by_text"] == "Stadt Chemnitz"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"publisher": []}, "publisher", "Missing value"),
        ({"notes": ""}, "notes", "Missing value"),
        ({"theme": ["http://example.org/theme/schools"]}, "theme", "is not a concept of the vocabulary"),
        ({"frequency": EU + "frequency/SOMETIMES"}, "frequency", "is not a concept of the vocabulary"),
        ({"license_id": "my-own-licence"}, "license_id", "is not a licence of the DCAT-AP.de licence list"),
        ({"issued": "31.02.2024"}, "issued", "Date format incorrect"),
        ({"contributor_id": "http://dcat-ap.de/def/contributors/chemnitz"}, "contributor_id", "contributors list"),
    ],
)
def test_a_bad_value_is_refused_on_its_field_and_nothing_is_saved(org, change, field, message):
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("package_create", **school_dataset(org["id"], **change))
    assert message in str(raised.value.error_dict[field])
    assert helpers.call_action("package_search", include_private=True)["count"] == 0


@pytest.mark.parametrize(
    ("area", "subfield", "message"),
    [
        ({"geom": '{"type": "Polygon", "coordinates": '}, "geom", "Not valid GeoJSON"),
        ({"geom": '{"type": "Circle", "coordinates": [12.9, 50.8]}'}, "geom", "Not valid GeoJSON"),
        ({"bbox": "13.3,52.4,13.5,52.6"}, "bbox", "outside Saxony"),  # Berlin
        ({"bbox": "13.05,50.74,12.79,50.92"}, "bbox", "west < east"),
        ({"uri": "http://dcat-ap.de/def/politicalGeocoding/regionalKey/999999999999"}, "uri", "political-geocoding"),
    ],
)
def test_spatial_coverage_errors_name_the_subfield(org, area, subfield, message):
    dataset = school_dataset(org["id"], spatial_coverage=[{"text": "Chemnitz", **area}])
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("package_create", **dataset)
    assert message in str(raised.value.error_dict["spatial_coverage"][0][subfield])


def test_an_update_with_an_error_keeps_the_published_version(org):
    created = helpers.call_action("package_create", **school_dataset(org["id"]))
    with pytest.raises(tk.ValidationError):
        helpers.call_action(
            "package_update", **{**created, "title": "Neu", "theme": ["http://example.org/not-a-theme"]}
        )
    assert helpers.call_action("package_show", id=created["id"])["title"] == "Schulen in Chemnitz"


def test_a_contributor_setting_outside_the_list_stops_the_start():
    from ckan.exceptions import CkanConfigurationException

    from ckanext.chemnitz.plugin import ChemnitzPlugin

    setting = {"ckanext.chemnitz.dcat.contributor_id": "http://dcat-ap.de/def/contributors/chemnitz"}
    with pytest.raises(CkanConfigurationException, match="contributors list"):
        ChemnitzPlugin().configure(setting)
    ChemnitzPlugin().configure(
        {"ckanext.chemnitz.dcat.contributor_id": "http://dcat-ap.de/def/contributors/freistaatSachsen"}
    )


@pytest.mark.ckan_config("ckan.locale_default", "de")
def test_the_edit_form_shows_the_error_in_german_on_its_field(app, org):
    import re

    created = helpers.call_action("package_create", **school_dataset(org["id"]))
    user = factories.Sysadmin()
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    form = app.get(f"/dataset/edit/{created['name']}", headers=headers).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input[^>]*? name="([^"]+)"[^>]*? value="([^"]*)"', form))
    fields.update({"_csrf_token": token, "save": "", "spatial_coverage-0-bbox": "13.3,52.4,13.5,52.6"})
    answer = app.post(f"/dataset/edit/{created['name']}", data=fields, headers=headers)
    assert "liegen außerhalb Sachsens" in answer.body
    assert 'id="field-spatial_coverage-0-bbox"' in answer.body
    shown = helpers.call_action("package_show", id=created["id"])
    assert shown["spatial_coverage"][0]["bbox"] == created["spatial_coverage"][0]["bbox"]
