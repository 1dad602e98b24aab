"""Several processes starting at once on one data dir share one set of secrets (a worker and
a scheduler once read a half-written secrets.json and crashed with a JSONDecodeError)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from services.platform.config import load_settings
from services.runtime import ensure_embedded_secrets


def _secrets(data_dir: str) -> tuple[str | None, str | None, str | None]:
    settings = ensure_embedded_secrets(load_settings(mode="embedded", data_dir=Path(data_dir)))
    return settings.secret_key, settings.pseudonym_key, settings.service_token


def test_processes_starting_together_share_the_secrets(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        found = pool.map(_secrets, [str(tmp_path)] * 24)
    assert len(set(found)) == 1
    assert all(found[0])
    assert _secrets(str(tmp_path)) == found[0]
