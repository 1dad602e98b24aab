"""The converter of tests written against the demo ids (tests/convert_demo_ids.py)."""

from __future__ import annotations

from convert_demo_ids import convert_python, convert_text
from people import ZEIST, ZEIST_PGA_EXPERT

SOURCE = '''"""A test of robin-visser in GM0355."""

from __future__ import annotations

import pytest

T = "GM0355"  # Zeist: eline-de-graaf is its pga-expert


def test_x(token_for):
    headers = token_for(T, "eline-de-graaf")
    sql = "SELECT 1 WHERE user_id = 'dennis-koster' AND x = '{y}'"
    assert f"{T}/eline-de-graaf" and sql and headers
    assert "Eline de Graaf" in page
'''


def test_a_test_written_against_the_demo_is_converted_to_the_constants() -> None:
    converted, problems = convert_python(SOURCE)
    assert problems == []
    assert '"""A test of zeist-casusregisseur in GM9355."""' in converted  # prose: the value
    assert "T = ZEIST  # Zeist: zeist-pga-expert is its pga-expert" in converted
    assert "token_for(T, ZEIST_PGA_EXPERT)" in converted
    assert "f\"SELECT 1 WHERE user_id = '{ZEIST_WIJKAGENT}' AND x = '{{y}}'\"" in converted
    assert 'f"{T}/{ZEIST_PGA_EXPERT}"' in converted
    assert "ZEIST_PGA_EXPERT_NAME in page" in converted
    imports = "from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_PGA_EXPERT_NAME, ZEIST_WIJKAGENT\n"
    assert "import pytest\n" + imports in converted
    compile(converted, "converted.py", "exec")
    assert convert_python(converted)[0] == converted  # nothing left to convert


def test_what_it_cannot_convert_it_reports() -> None:
    source = 'ZEIST = {"tenant": "GM0355"}\nPATH = "tenants/manifests/gm0355-zeist.toml"\n'
    _, problems = convert_python(source)
    assert any("gm0355-zeist.toml" in p for p in problems)
    assert any(p.startswith("ZEIST is a name of this file") for p in problems)


def test_other_files_get_the_test_values() -> None:
    assert convert_text("tenant: GM0355, user: eline-de-graaf") == (
        f"tenant: {ZEIST}, user: {ZEIST_PGA_EXPERT}"
    )
