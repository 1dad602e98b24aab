"""Every casework controller, registered by the app factory: the JSON API (``CONTROLLERS``)
and the Dutch pages and forms (``PAGES``). Add a feature's controllers here."""

from __future__ import annotations

from litestar import Controller
from litestar.di import Provide
from litestar.types import Dependencies

from services.casework.aanmelding.pages import AanmeldingPagesController
from services.casework.avg.pages import AvgPagesController
from services.casework.avg.routes import CasussenAvgController, PersonenAvgController
from services.casework.brieven.pages import BrievenPagesController
from services.casework.brieven.routes import BrievenController
from services.casework.casuspagina.pages import CasuspaginaController
from services.casework.casussen.huishouden import HuishoudenPagesController
from services.casework.casussen.pages import CasussenPagesController
from services.casework.casussen.routes import CasussenController
from services.casework.casussen.spoedtoegang import SpoedtoegangPagesController
from services.casework.casussen.zoeken_api import ZoekenController
from services.casework.documenten.pages import DocumentenPagesController
from services.casework.documenten.routes import DocumentenController
from services.casework.groepsaanpak.pages import GroepsaanpakPagesController
from services.casework.groepsaanpak.routes import GroepenController
from services.casework.groepsstappen.pages import GroepsstappenPagesController
from services.casework.groepsstappen.routes import GroepsstappenController
from services.casework.informatie.delen_wizard import DelenWizardController
from services.casework.informatie.pages import InformatiePagesController
from services.casework.informatie.routes import InformatieController
from services.casework.meldingen.pages import MeldingenPagesController
from services.casework.meldingen.routes import MeldingenController
from services.casework.overleg.pages import OverlegPagesController
from services.casework.overleg.routes import OverleggenController
from services.casework.overzicht.pages import OverzichtController
from services.casework.plan.pages import PlanPagesController
from services.casework.plan.routes import PlanController
from services.casework.plan.zrm_pages import ZelfredzaamheidPagesController
from services.casework.toestemming.pages import ToestemmingPagesController
from services.casework.toestemming.routes import ToestemmingenController
from services.casework.uitleg import UitlegController
from services.casework.unit_of_work import request_workspace
from services.casework.web.shell import page_viewer
from services.casework.werkvoorraad.pages import WerkvoorraadPagesController
from services.casework.werkvoorraad.routes import WerkvoorraadController

#: What the casework handlers are given (docs/adr/0024-request-scoped-workspace.md): the API
#: handlers ``ws``, the workspace of the request (one transaction); the pages ``viewer``, who
#: is looking (None without a login), with the workspace of the request.
DEPENDENCIES: Dependencies = {
    "ws": Provide(request_workspace),
    "viewer": Provide(page_viewer),
}

CONTROLLERS: list[type[Controller]] = [
    CasussenController,
    OverleggenController,
    GroepenController,
    InformatieController,
    ToestemmingenController,
    UitlegController,
    PlanController,
    WerkvoorraadController,
    GroepsstappenController,
    ZoekenController,
    CasussenAvgController,
    PersonenAvgController,
    MeldingenController,
    BrievenController,
    DocumentenController,
]

PAGES: list[type[Controller]] = [
    OverzichtController,
    AanmeldingPagesController,
    CasuspaginaController,
    CasussenPagesController,
    InformatiePagesController,
    GroepsaanpakPagesController,
    OverlegPagesController,
    WerkvoorraadPagesController,
    PlanPagesController,
    ZelfredzaamheidPagesController,
    ToestemmingPagesController,
    HuishoudenPagesController,
    SpoedtoegangPagesController,
    DelenWizardController,
    GroepsstappenPagesController,
    AvgPagesController,
    MeldingenPagesController,
    BrievenPagesController,
    DocumentenPagesController,
]
