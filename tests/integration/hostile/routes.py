"""The route table, found from the app at run time: every API endpoint under /api/v1 and
every web page and form. A route added later is probed without editing the suite.

Only infrastructure is left out (health checks, the OpenAPI schema, static files, the
development login and OIDC endpoints): they carry no tenant data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

#: Infrastructure routes: no tenant data behind them, nothing to probe.
INFRASTRUCTURE = re.compile(
    r"^/(health|schema|static|oidc|inloggen|uitloggen|api/docs)(/|$)|^/$|^/api/v1/openapi\.json$"
)
PARAM = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with converters stripped: /api/v1/casussen/{casus_id}
    params: tuple[str, ...]
    query: frozenset[str]  # query parameter names of the handler
    has_body: bool  # a JSON body (``data``)
    opt: dict[str, Any] = field(compare=False, hash=False)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def web(self) -> bool:
        return not self.api

    @property
    def write(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")

    @property
    def example(self) -> Any:
        return self.opt.get("voorbeeld")

    @property
    def casus_scoped(self) -> bool:
        return "casus_id" in self.params

    @property
    def open_to_non_participants(self) -> bool:
        return bool(self.opt.get("open_voor_niet_deelnemers"))

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def discover(app: Litestar) -> list[Route]:
    found: list[Route] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or INFRASTRUCTURE.search(route.path):
            continue
        path = PARAM.sub(lambda m: "{" + m.group(1) + "}", route.path)
        params = tuple(PARAM.findall(route.path))
        for method, (handler, kwargs_model) in sorted(route.route_handler_map.items()):
            if method in ("HEAD", "OPTIONS"):
                continue
            signature = handler.parsed_fn_signature.parameters
            found.append(
                Route(
                    method=method,
                    path=path,
                    params=params,
                    # Query parameters of the handler and of its dependencies.
                    query=frozenset(p.field_alias for p in kwargs_model.expected_query_params),
                    has_body="data" in signature,
                    opt=dict(handler.opt),
                )
            )
    return sorted(found, key=str)
