"""Shared error types of the casework domain: Dutch messages naming the field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one input field (``field`` is a path like ``goals[0].domain``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class DomainValidationError(ValueError):
    """Input violates a domain rule; carries every problem found (Dutch messages).

    The service layer maps it to 422 problem+json, one entry per :class:`FieldProblem`.
    """

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        if not problems:
            raise ValueError("DomainValidationError needs at least one problem")
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @property
    def field(self) -> str:
        """Field of the first (often the only) problem."""
        return self.problems[0].field

    @property
    def message(self) -> str:
        """Dutch message of the first problem."""
        return self.problems[0].message

    def as_dicts(self) -> list[dict[str, str]]:
        """The problems as plain dicts (for problem+json)."""
        return [{"field": p.field, "message": p.message} for p in self.problems]
