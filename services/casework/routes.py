"""Every casework controller, registered by the app factory: the JSON API (``CONTROLLERS``)
and the Dutch pages and forms (``PAGES``). Add a feature's controllers here."""

from __future__ import annotations

from litestar import Controller

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
from services.casework.informatie.routes import InformatieController, ToestemmingenController
from services.casework.overleg.pages import OverlegPagesController
from services.casework.overleg.routes import OverleggenController
from services.casework.overzicht.pages import OverzichtController
from services.casework.plan.pages import PlanPagesController
from services.casework.plan.routes import PlanController
from services.casework.plan.zrm_pages import ZelfredzaamheidPagesController
from services.casework.toestemming.pages import ToestemmingPagesController
from services.casework.uitleg import UitlegController
from services.casework.werkvoorraad.pages import WerkvoorraadPagesController
from services.casework.werkvoorraad.routes import WerkvoorraadController

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
    BrievenPagesController,
    DocumentenPagesController,
]
