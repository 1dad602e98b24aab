"""Every casework controller, registered by the app factory. Add new controllers here."""

from __future__ import annotations

from litestar import Controller

from services.api.casework.casussen import CasussenController
from services.api.casework.groepen import GroepenController
from services.api.casework.informatie import InformatieController, ToestemmingenController
from services.api.casework.overleggen import OverleggenController
from services.api.casework.plannen import PlanController, WerkvoorraadController
from services.api.casework.uitleg import UitlegController

CONTROLLERS: list[type[Controller]] = [
    CasussenController,
    OverleggenController,
    GroepenController,
    InformatieController,
    ToestemmingenController,
    UitlegController,
    PlanController,
    WerkvoorraadController,
]
