"""The plan van aanpak as a form (rows, empty rows, new action ids, problems back at the row
the user typed in) and the SVG geometry of the zelfredzaamheid charts."""

from __future__ import annotations

from services.casework.domain.errors import FieldProblem
from services.casework.plan import form
from services.casework.zelfredzaamheid import chart


def test_empty_and_removed_rows_are_left_out_and_rows_keep_their_origin() -> None:
    fields = {
        "eindcriterium": " Geen meldingen. ",
        "toelichting": "",
        "doelen.0.leefgebied": "financien",
        "doelen.0.probleem": "Schulden.",
        "doelen.0.doel": "Budgetplan.",
        "doelen.1.leefgebied": "",
        "doelen.1.probleem": "",
        "doelen.1.doel": "",
        "doelen.2.leefgebied": "huisvesting",
        "doelen.2.probleem": "Huurschuld.",
        "doelen.2.doel": "",
        "acties.0.id": "a4",
        "acties.0.omschrijving": "Weg ermee.",
        "acties.0.verwijderen": "ja",
        "acties.1.id": "",
        "acties.1.omschrijving": "Nieuwe actie.",
        "acties.1.status": "open",
        "acties.1.deadline": "17-05-2026",
        "acties.2.id": "",
        "acties.2.status": "open",  # a status alone is not a filled-in row
    }
    parsed = form.body_from(fields)
    assert parsed.body["eindcriterium"] == "Geen meldingen."
    assert "toelichting" not in parsed.body
    assert [g["leefgebied"] for g in parsed.body["doelen"]] == ["financien", "huisvesting"]
    assert "doel" not in parsed.body["doelen"][1]  # missing: the schema says "Vul dit veld in."
    assert parsed.origin["doelen"] == [0, 2]
    assert parsed.body["acties"] == [
        {"id": "a5", "omschrijving": "Nieuwe actie.", "status": "open", "deadline": "2026-05-17"}
    ]
    assert parsed.origin["acties"] == [1]
    assert parsed.body["interventies"] == [] and parsed.body["toezeggingen"] == []


def test_problems_land_at_the_row_the_user_typed_in() -> None:
    origin = {"doelen": [0, 2], "acties": [1]}
    assert form.form_field("doelen.1.doel", origin) == "doelen.2.doel"  # pydantic's path
    assert form.form_field("acties[0].eigenaar_gebruiker", origin) == (
        "acties.1.eigenaar_gebruiker"  # the service's path
    )
    assert form.form_field("eindcriterium", origin) == "eindcriterium"
    known = form.known_fields({"doelen.2.doel": "x", "acties.1.id": "a1"})
    errors, general = form.problems_by_field(
        [
            FieldProblem("doelen.1.doel", "Vul dit veld in."),
            FieldProblem("acties[0].id", "Dubbele actie-id."),
            FieldProblem("doelen", "Vul ten minste één doel in."),
        ],
        origin,
        known,
    )
    assert errors == {
        "doelen.2.doel": ["Vul dit veld in."],
        "doelen": ["Vul ten minste één doel in."],
    }
    assert general == ["Dubbele actie-id."]  # the id is hidden: said above the form


def test_the_rows_of_a_plan_view_and_a_date_typed_the_dutch_way() -> None:
    view = {
        "eindcriterium": "Klaar.",
        "doelen": [{"leefgebied": "financien", "probleem": "P", "doel": "D"}],
        "acties": [{"id": "a1", "omschrijving": "O", "eigenaar_gebruiker": None}],
    }
    values = form.values_from_view(view)
    assert values["acties.0.eigenaar_gebruiker"] == ""
    assert form.rows_to_show(values, 1) == {
        "doelen": [0, 1],
        "acties": [0, 1],
        "interventies": [0],
        "toezeggingen": [0],
    }
    assert form.iso_date("1-2-2026") == "2026-02-01"
    assert form.iso_date("31-02-2026") == "31-02-2026"  # not a date: the schema says so


def test_a_chart_per_domain_from_low_to_high_over_time() -> None:
    domains = [
        {"domein": "financien", "label": "Financiën"},
        {"domein": "justitie", "label": "Justitie"},
    ]
    measurements = [
        {
            "datum": "2026-01-01",
            "moment_label": "Intake",
            "scores": {"financien": 1, "justitie": None},
        },
        {
            "datum": "2026-03-02",
            "moment_label": "Tussentijds",
            "scores": {"financien": 5, "justitie": None},
        },
    ]
    fin, jus = chart.charts(domains, measurements, ["justitie"])
    first, last = fin.points
    assert first.x == chart.LEFT and last.x == chart.WIDTH - chart.RIGHT
    assert first.y == chart.HEIGHT - chart.BOTTOM and last.y == chart.TOP  # 1 low, 5 high
    assert fin.description == "Financiën: Intake 1 januari 2026: 1; Tussentijds 2 maart 2026: 5."
    assert jus.masked and jus.points == [] and "afgeschermd" in jus.description
    single = chart.charts(domains[:1], measurements[:1], [])[0]
    assert single.points[0].x == chart.LEFT + (chart.WIDTH - chart.LEFT - chart.RIGHT) / 2
