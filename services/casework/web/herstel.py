"""No lost work: a form that cannot be handled because the session expired or its CSRF token
is stale comes back with what the person typed, and a Dutch message — never an empty form.

* **Expired session** (no valid login cookie): nothing about the casus may be shown, so the
  page lists only what the person typed (their own input, escaped, ``no-store``) in a form
  that posts the same values to the same address again, with a link to log in in a new tab.
  Sent again after logging in, it arrives with a stale token and so lands in the next case.
* **Stale token** (logged in, but the form belongs to an earlier login): the form is shown
  again in its own page with the values filled in (the feature passes ``again``), or else a
  page that lists the values and sends them again with the token of this login.

Neither page changes anything: sending again is always a click of the person.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Response
from litestar.response import Template

from services.casework.web.context import Viewer
from services.casework.web.shell import Req, render

#: Shown above a form that came back because its token belonged to an earlier login.
STALE_FORM_TEXT: Final = (
    "Formulier niet verwerkt: het hoorde bij een eerdere inlogsessie (bijvoorbeeld omdat u "
    "intussen opnieuw bent ingelogd). Wat u invulde staat er nog; controleer het en verstuur "
    "het opnieuw."
)

EXPIRED_STATUS: Final = 401
STALE_STATUS: Final = 403


def _fields(values: dict[str, str | list[str]]) -> list[dict[str, Any]]:
    """The typed values as (name, label, values), without empty ones for the summary."""
    rows = []
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        rows.append(
            {
                "naam": name,
                "label": name.replace("_", " ").capitalize(),
                "waarden": items,
                "zichtbaar": any(item.strip() for item in items) and name != "versie",
            }
        )
    return rows


def session_expired(request: Req, values: dict[str, str | list[str]]) -> Template:
    """The page for a form sent after the session ended (nobody is logged in)."""
    return Template(
        "sessie_verlopen.html",
        context={"principal": None, "actie": request.url.path, "velden": _fields(values)},
        status_code=EXPIRED_STATUS,
    )


def send_again(
    viewer: Viewer, request: Req, values: dict[str, str | list[str]], token: str
) -> Response[Any]:
    """A form with a stale token whose own page cannot be shown again: its values listed,
    ready to be sent again with the token of this login."""
    return render(
        viewer,
        "opnieuw_versturen.html",
        {
            "actie": request.url.path,
            "velden": _fields(values),
            "csrf_token": token,
            "melding": STALE_FORM_TEXT,
        },
        doel=None,
        status=STALE_STATUS,
    )
