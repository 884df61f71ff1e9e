"""Small builders shared by the record tests: a clinic with a clinician, a patient, a case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bothand.catalog import Catalog
from bothand.domain.clock import Clock
from bothand.domain.record import Actor, User
from bothand.services.accounts import Accounts
from bothand.services.record import Record
from bothand.storage import Database

PASSWORD = "correct horse battery staple"
PHQ9_MODERATE = [2, 2, 1, 1, 1, 1, 1, 1, 0]  # 10, item 9 answered 0
PHQ9_RISK = [2, 2, 1, 1, 1, 1, 1, 1, 1]  # item 9 above 0


def case(answers: list[int] | None = None) -> dict[str, Any]:
    return {
        "concerns": [
            {"condition": "depression", "instrument": "phq9", "answers": answers or PHQ9_MODERATE}
        ],
        "preferences": {"medication": "open", "therapy": "open"},
    }


@dataclass
class Clinic:
    accounts: Accounts
    record: Record
    clinic_id: str
    clinician: User
    admin: User

    def actor(self, user: User) -> Actor:
        return Actor("user", user.id, user.role, user.clinic_id, user)

    @property
    def me(self) -> Actor:
        return self.actor(self.clinician)


def make_clinic(
    catalog: Catalog, database: Database, clock: Clock, name: str = "North", tag: str = "n"
) -> Clinic:
    accounts = Accounts(database, clock)
    clinic = accounts.create_clinic(name)
    clinician = accounts.add_user(f"clin-{tag}@example.org", clinic.id, ["clinician"], PASSWORD)
    admin = accounts.add_user(f"admin-{tag}@example.org", clinic.id, ["admin"], PASSWORD)
    return Clinic(accounts, Record(catalog, database, clock), clinic.id, clinician, admin)
