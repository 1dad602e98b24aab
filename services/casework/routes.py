"""Every casework controller, registered by the app factory. Add new controllers here."""

from __future__ import annotations

from litestar import Controller

from services.casework.avg.routes import CasussenAvgController, PersonenAvgController
from services.casework.casussen.routes import CasussenController
from services.casework.groepsaanpak.routes import GroepenController
from services.casework.informatie.routes import InformatieController, ToestemmingenController
from services.casework.overleg.routes import OverleggenController
from services.casework.plan.routes import PlanController, WerkvoorraadController
from services.casework.uitleg import UitlegController

CONTROLLERS: list[type[Controller]] = [
    CasussenController,
    OverleggenController,
    GroepenController,
    InformatieController,
    ToestemmingenController,
    UitlegController,
    PlanController,
    WerkvoorraadController,
    CasussenAvgController,
    PersonenAvgController,
]
