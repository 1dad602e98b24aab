"""Every casework controller, registered by the app factory. Add new controllers here."""

from __future__ import annotations

from litestar import Controller

from services.api.casework.casussen import CasussenController

CONTROLLERS: list[type[Controller]] = [
    CasussenController,
]
