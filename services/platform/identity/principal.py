"""The authenticated subject of a request, as the policy engine and services see it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant: str
    tenant_kind: str
    region: str
    organisation: str
    domain: str
    roles: frozenset[str]
    display_name: str
    #: Display names of the organisation and the tenant (the page header), read with the
    #: rest by the directory; empty when unknown. Not part of equality: not who, only how
    #: the header names them.
    organisation_name: str = field(default="", compare=False)
    tenant_name: str = field(default="", compare=False)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def policy_subject(self) -> dict[str, object]:
        """The ``subject`` part of a policy input: computed from the tenant's user record.

        The organisation's domain is not sent: the policy takes it from the policy data
        (the manifest), so no caller-supplied attribute can change a decision."""
        return {
            "kind": "user",
            "tenant": self.tenant,
            "user_id": self.user_id,
            "organisation": self.organisation,
            "roles": sorted(self.roles),
        }
