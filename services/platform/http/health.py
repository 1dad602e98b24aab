"""Liveness and readiness: ready names every dependency that failed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from services.platform.http.openapi import Out, ProblemDetails
from services.platform.http.problems import PROBLEM_JSON, TYPE_BASE

_log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], None]


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, ReadinessCheck]

    def run(self) -> dict[str, str]:
        results: dict[str, str] = {}
        for name, check in self.checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as error:  # noqa: BLE001 - any failure means not ready
                _log.warning("readiness check %s failed: %s", name, type(error).__name__)
                results[name] = f"fout: {type(error).__name__}"
        return results


class LiveOut(Out):
    status: str


class ReadyOut(Out):
    status: str
    checks: dict[str, str]
    """Per dependency ``ok`` or ``fout: <error type>``."""


class NotReadyProblem(ProblemDetails):
    failed: list[str]
    checks: dict[str, str]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012

    @get(
        "/live", opt={"exclude_from_auth": True}, sync_to_thread=False, summary="Leeft het proces?"
    )
    def live(self) -> LiveOut:
        return LiveOut(status="ok")

    @get(
        "/ready",
        opt={"exclude_from_auth": True},
        sync_to_thread=True,
        summary="Kan het proces verzoeken bedienen?",
        responses={
            503: ResponseSpec(
                data_container=NotReadyProblem,
                media_type=PROBLEM_JSON,
                description="Niet gereed: de mislukte controles",
                generate_examples=False,
            )
        },
    )
    def ready(self, readiness: NamedDependency[Readiness]) -> Response[ReadyOut]:
        results = readiness.run()
        failed = [name for name, state in results.items() if state != "ok"]
        if not failed:
            return Response(ReadyOut(status="ok", checks=results))
        problem: Any = {
            "type": TYPE_BASE + "niet-gereed",
            "title": "Niet gereed",
            "title_en": "Not ready",
            "status": 503,
            "detail": "Niet beschikbaar: " + ", ".join(failed) + ".",
            "detail_en": "Unavailable: " + ", ".join(failed) + ".",
            "code": "niet-gereed",
            "failed": failed,
            "checks": results,
        }
        return Response(problem, status_code=503, media_type=PROBLEM_JSON)
