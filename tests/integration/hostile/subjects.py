"""The probing users: every user of every test manifest (so every role present in
every tenant, gemeenten and regional bureaus alike), plus users the suite adds whose ids
also exist in another tenant (ids are unique only within a tenant)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from people import REGIO_HAAGLANDEN, REGIO_UTRECHT, ZEIST_CASUSREGISSEUR, ZOETERMEER_CASUSREGISSEUR

from tenants.manifest import Manifest

from .model import Subject


@dataclass(frozen=True)
class ExtraUser:
    """A user the suite creates through the gebruikers API (as the tenantbeheerder)."""

    tenant: str
    user_id: str
    organisation: str
    roles: tuple[str, ...]
    why: str


#: Ids that collide with users of a gemeente (defect 1 of issue 9: identities must be
#: tenant-qualified). Both organisations also exist, with the same id, in the gemeente.
EXTRA_USERS: tuple[ExtraUser, ...] = (
    ExtraUser(
        REGIO_UTRECHT,
        ZEIST_CASUSREGISSEUR,
        "reclassering-nederland",
        ("casusregisseur", "professional"),
        "same id as the Zeist casusregisseur; organisation also a Zeist participant",
    ),
    ExtraUser(
        REGIO_HAAGLANDEN,
        ZOETERMEER_CASUSREGISSEUR,
        "jeugdbescherming-west",
        ("casusregisseur", "professional"),
        "same id as the Zoetermeer casusregisseur; organisation also a Zoetermeer participant",
    ),
)


def manifests_by_code(manifests: Sequence[Manifest]) -> dict[str, Manifest]:
    return {m.gemeentecode: m for m in manifests}


def domain_of(manifest: Manifest, organisation: str) -> str:
    for org in manifest.organisations:
        if org.id == organisation:
            return str(org.domain)
    raise KeyError(f"{manifest.gemeentecode}: unknown organisation {organisation}")


def manifest_subjects(manifests: Mapping[str, Manifest]) -> list[Subject]:
    subjects = []
    for code in sorted(manifests):
        m = manifests[code]
        for user in m.users:
            subjects.append(
                Subject(
                    tenant=code,
                    user_id=user.id,
                    organisation=user.organisation,
                    domain=domain_of(m, user.organisation),
                    roles=frozenset(user.roles),
                    region=m.region,
                    tenant_kind=m.kind,
                    name=user.name,
                )
            )
    for extra in EXTRA_USERS:
        m = manifests[extra.tenant]
        subjects.append(
            Subject(
                tenant=extra.tenant,
                user_id=extra.user_id,
                organisation=extra.organisation,
                domain=domain_of(m, extra.organisation),
                roles=frozenset(extra.roles),
                region=m.region,
                tenant_kind=m.kind,
                name=f"Probe {extra.user_id}",
                extra=True,
            )
        )
    return subjects


def roles_present(subjects: Sequence[Subject]) -> set[str]:
    return {role for s in subjects for role in s.roles}
