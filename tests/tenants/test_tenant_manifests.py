"""Tenant manifests: the shipped ones validate, bad ones fail with file, field and problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from manifest_texts import BASE, NEW_GEMEENTE

from tenants import reference
from tenants.manifest import (
    SHIPPED_MANIFESTS_DIR,
    Manifest,
    ManifestError,
    load_all,
    load_manifest,
    validate_text,
)
from tenants.policy_data import build_policy_data

SHIPPED = sorted(SHIPPED_MANIFESTS_DIR.glob("*.toml"))
GEMEENTE_ROLES = set(reference.ROLES) - set(reference.REGIO_ONLY_ROLES)


@pytest.fixture(scope="module")
def manifests() -> dict[str, Manifest]:
    return {m.gemeentecode: m for m in load_all(SHIPPED_MANIFESTS_DIR)}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_manifest_validates(path: Path) -> None:
    manifest = load_manifest(path)
    assert manifest.source == str(path)


def test_the_expected_tenants_are_shipped(manifests: dict[str, Manifest]) -> None:
    assert set(manifests) == {
        "GM0402",
        "GM0345",
        "GM0352",
        "GM0355",
        "GM0637",
        "RGUTRECHT",
        "RGHAAGLANDEN",
    }
    for code in ("GM0402", "GM0345", "GM0352", "GM0355"):
        m = manifests[code]
        assert m.kind == "gemeente"
        assert m.region == "regio-utrecht"
        assert (m.age_band.min, m.age_band.max) == (16, 27)
        assert m.inclusion.minimum_met == 2
        assert len(m.inclusion.criteria) == 3
        assert m.assessment_instrument == "zrm"
    zoetermeer = manifests["GM0637"]
    assert zoetermeer.region == "haaglanden"
    assert (zoetermeer.age_band.min, zoetermeer.age_band.max) == (12, 27)
    assert zoetermeer.assessment_instrument == "leefgebieden-8"
    assert "Uitvoeringsoverleg Veiligheid en Zorg (UVZ)" in {
        t.name for t in zoetermeer.meeting_types
    }
    assert manifests["RGUTRECHT"].name == "Zorg- en Veiligheidshuis regio Utrecht"
    assert manifests["RGHAAGLANDEN"].kind == "regio"
    assert "PGA-tafel Jeugd" in {t.name for t in manifests["GM0402"].meeting_types}
    assert "IVT-overleg 23+" in {t.name for t in manifests["GM0345"].meeting_types}


def test_demo_users_cover_every_role(manifests: dict[str, Manifest]) -> None:
    for code, m in manifests.items():
        roles = {role for user in m.users for role in user.roles}
        expected = set(reference.ROLES) if m.kind == "regio" else GEMEENTE_ROLES
        assert roles == expected, code
        professionals = {u.organisation for u in m.users if "professional" in u.roles}
        assert len(professionals) >= 2, code


def test_shipped_manifests_use_only_reference_codes(manifests: dict[str, Manifest]) -> None:
    for m in manifests.values():
        assert not m.extra_domains
        for org in m.organisations:
            assert org.domain in reference.ORGANISATION_DOMAINS
        for grant in m.grants:
            assert set(grant.categories) <= set(reference.DATA_CATEGORIES)
            assert set(grant.purposes) <= set(reference.PURPOSES)


def test_new_gemeente_validates_without_code_change(tmp_path: Path) -> None:
    directory = tmp_path / "manifests"
    shutil.copytree(SHIPPED_MANIFESTS_DIR, directory)
    (directory / "gm0344-utrecht.toml").write_text(NEW_GEMEENTE, encoding="utf-8")

    loaded = {m.gemeentecode: m for m in load_all(directory)}
    utrecht = loaded["GM0344"]
    assert utrecht.domains["huisarts"] == "Huisartsenzorg"
    assert utrecht.organisation("huisartsen-utrecht").receive_only

    data = build_policy_data(loaded.values(), suspended=set())
    assert "GM0344" in data["regions"]["regio-utrecht"]["tenants"]
    assert data["tenants"]["GM0344"]["organisations"]["huisartsen-utrecht"] == {
        "domain": "huisarts",
        "receive_only": True,
    }
    # The other tenants are untouched.
    shipped = build_policy_data(load_all(SHIPPED_MANIFESTS_DIR), suspended=set())
    for code, tenant in shipped["tenants"].items():
        assert data["tenants"][code] == tenant


def test_new_region_without_bureau_is_allowed() -> None:
    text = NEW_GEMEENTE.replace('region = "regio-utrecht"', 'region = "regio-nieuw"')
    manifest = validate_text(text, "upload.toml")
    data = build_policy_data([manifest], suspended=set())
    assert data["regions"] == {"regio-nieuw": {"bureau_tenant": None, "tenants": ["GM0344"]}}


def _write(tmp_path: Path, text: str, name: str = "gm9001-test.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_base_manifest_is_valid(tmp_path: Path) -> None:
    load_manifest(_write(tmp_path, BASE))


BAD_CASES = [
    pytest.param(
        'domain = "sociaal-wijkteam"',
        'domain = "buurtvader"',
        "organisations[2].domain",
        "onbekend domein 'buurtvader'",
        id="unknown-domain",
    ),
    pytest.param(
        'id = "wijkteam"',
        'id = "politie"',
        "organisations[2].id",
        "dubbele organisatie-id 'politie'",
        id="duplicate-organisation-id",
    ),
    pytest.param(
        'gemeentecode = "GM9001"',
        'gemeentecode = "0355"',
        "gemeentecode",
        "ongeldige gemeentecode '0355'",
        id="wrong-gemeentecode-format",
    ),
    pytest.param(
        'gemeentecode = "GM9001"',
        'gemeentecode = "GM12345"',
        "gemeentecode",
        "ongeldige gemeentecode",
        id="gemeentecode-too-long",
    ),
    pytest.param(
        'name = "Testgemeente"',
        "",
        "name",
        "verplicht veld ontbreekt",
        id="missing-field",
    ),
    pytest.param(
        'domain = "politie"\n',
        "",
        "organisations[1].domain",
        "verplicht veld ontbreekt",
        id="missing-nested-field",
    ),
    pytest.param(
        'categories = ["algemeen"]',
        'categories = ["algemeen", "medisch-dossier"]',
        "grants[0].categories[1]",
        "onbekende gegevenscategorie 'medisch-dossier'",
        id="grant-unknown-category",
    ),
    pytest.param(
        'purposes = ["triage"]',
        'purposes = ["nieuwsgierigheid"]',
        "grants[0].purposes[0]",
        "onbekend doel 'nieuwsgierigheid'",
        id="grant-unknown-purpose",
    ),
    pytest.param(
        'domains = ["politie", "gemeente-oov"]',
        'domains = ["politie", "geheime-dienst"]',
        "grants[0].domains[1]",
        "onbekend domein 'geheime-dienst'",
        id="grant-unknown-domain",
    ),
    pytest.param(
        'organisation = "gemeente"',
        'organisation = "onbekend"',
        "users[0].organisation",
        "onbekende organisatie 'onbekend'",
        id="user-unknown-organisation",
    ),
    pytest.param(
        'roles = ["pga-expert"]',
        'roles = ["pga-expert", "superuser"]',
        "users[0].roles[1]",
        "onbekende rol 'superuser'",
        id="user-unknown-role",
    ),
    pytest.param(
        'roles = ["pga-expert"]',
        'roles = ["platformbeheerder"]',
        "users[0].roles[0]",
        "alleen toegestaan bij een regionaal bureau",
        id="platformbeheerder-in-gemeente",
    ),
    pytest.param(
        'region = "testregio"',
        'region = "testregio"\ncolour = "blauw"',
        "colour",
        "onbekend veld",
        id="unknown-field",
    ),
    pytest.param(
        'region = "testregio"',
        'region = "Test Regio"',
        "region",
        "ongeldig formaat",
        id="bad-region-slug",
    ),
    pytest.param(
        "minimum_met = 2",
        "minimum_met = 3",
        "inclusion.minimum_met",
        "groter dan het aantal criteria",
        id="minimum-met-too-high",
    ),
    pytest.param(
        "max = 27",
        "max = 12",
        "age_band",
        "minimumleeftijd (16) is hoger dan maximumleeftijd (12)",
        id="age-band-inverted",
    ),
    pytest.param(
        "default_months = 60",
        "default_months = 60\n[retention.months]\nvergeten = 12",
        "retention.months.vergeten",
        "onbekende casusuitkomst 'vergeten'",
        id="retention-unknown-outcome",
    ),
    pytest.param(
        'region = "testregio"',
        'region = "testregio"\nbsn_purposes = ["marketing"]',
        "bsn_purposes[0]",
        "onbekend doel 'marketing'",
        id="bsn-unknown-purpose",
    ),
    pytest.param(
        'region = "testregio"',
        'region = "testregio"\n[extra_domains]\npolitie = "Andere politie"',
        "extra_domains.politie",
        "mogen niet worden hernoemd",
        id="extra-domain-renames-code",
    ),
    pytest.param(
        'region = "testregio"',
        'region = "testregio"\nassessment_instrument = "vragenlijst"',
        "assessment_instrument",
        "ongeldige waarde",
        id="unknown-instrument",
    ),
    pytest.param(
        'kind = "gemeente"',
        'kind = "regio"',
        "gemeentecode",
        "ongeldige regiocode 'GM9001'",
        id="regio-with-gemeentecode",
    ),
    pytest.param(
        "min = 16",
        'min = "zestien"',
        "age_band.min",
        "moet een geheel getal zijn",
        id="wrong-type",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "problem"), BAD_CASES)
def test_bad_manifest_names_file_field_and_problem(
    tmp_path: Path, old: str, new: str, field: str, problem: str
) -> None:
    assert old in BASE
    path = _write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    error = caught.value
    matching = [issue for issue in error.issues if issue.field == field]
    assert matching, f"no issue for {field}: {error}"
    issue = matching[0]
    assert issue.source == str(path)
    assert problem in issue.message_nl
    assert issue.message_en
    assert issue.message_en != issue.message_nl
    rendered = str(error)
    assert str(path) in rendered
    assert field in rendered


def test_error_reports_all_problems_at_once(tmp_path: Path) -> None:
    text = BASE.replace('domain = "politie"', 'domain = "x-politie"').replace(
        'organisation = "gemeente"', 'organisation = "nergens"'
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest(_write(tmp_path, text))
    fields = {issue.field for issue in caught.value.issues}
    assert {"organisations[1].domain", "users[0].organisation"} <= fields
    assert caught.value.as_dicts()[0]["source"].endswith("gm9001-test.toml")


def test_invalid_toml_names_the_upload() -> None:
    with pytest.raises(ManifestError) as caught:
        validate_text("gemeentecode = ", "upload-van-beheerder.toml")
    assert caught.value.source == "upload-van-beheerder.toml"
    assert "geen geldige TOML" in caught.value.message_nl


def test_duplicate_gemeentecode_across_files(tmp_path: Path) -> None:
    _write(tmp_path, BASE, "a.toml")
    _write(tmp_path, BASE.replace('name = "Testgemeente"', 'name = "Kopie"'), "b.toml")
    with pytest.raises(ManifestError) as caught:
        load_all(tmp_path)
    issue = caught.value.issues[0]
    assert issue.source == str(tmp_path / "b.toml")
    assert issue.field == "gemeentecode"
    assert "GM9001" in issue.message_nl
    assert str(tmp_path / "a.toml") in issue.message_nl


def test_two_bureaus_for_one_region(tmp_path: Path) -> None:
    shutil.copy(SHIPPED_MANIFESTS_DIR / "regio-utrecht.toml", tmp_path / "a.toml")
    text = (SHIPPED_MANIFESTS_DIR / "regio-utrecht.toml").read_text(encoding="utf-8")
    _write(tmp_path, text.replace('"RGUTRECHT"', '"RGUTRECHT2"'), "b.toml")
    with pytest.raises(ManifestError) as caught:
        load_all(tmp_path)
    assert caught.value.field == "region"
    assert "regionaal bureau" in caught.value.message_nl


def test_load_all_collects_errors_of_every_file(tmp_path: Path) -> None:
    _write(tmp_path, BASE.replace('domain = "politie"', 'domain = "nope"'), "a.toml")
    _write(tmp_path, BASE.replace('"GM9001"', '"GM9002"').replace("max = 27", "max = 1"), "b.toml")
    with pytest.raises(ManifestError) as caught:
        load_all(tmp_path)
    assert {Path(i.source).name for i in caught.value.issues} == {"a.toml", "b.toml"}


def test_annotated_example_in_docs_validates() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "tenants.md"
    text = docs.read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    manifest = validate_text(example, "docs/tenants.md")
    assert manifest.gemeentecode == "GM0344"
    assert manifest.organisation("huisartsen-utrecht").receive_only
