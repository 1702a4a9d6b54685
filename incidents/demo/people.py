"""Synthetic parties: invented names, fictional phones, well-formed but invented ID numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from gridmap.demo.names import person_name
from gridmap.demo.reference import COUNTY_CODE

# 199-0001-xxxx: next to the grid leaders' fictional block (1990000xxxx), visibly not real numbers.
PARTY_PHONE_PREFIX = "1990001"
# Parties take serials 0–8999; the demo's synthetic staff 9000–9999.
STAFF_PHONE_SERIAL = 9_000
REGION_PREFIX = COUNTY_CODE[:6]  # 621122: resident IDs registered in Longxi


@dataclass(frozen=True)
class PartySeed:
    """One person involved in a matter."""

    role: str
    name: str
    phone: str
    id_number: str


def party_phone(serial: int) -> str:
    """The ``serial``-th number of the parties' fictional block (1990001xxxx)."""
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial {serial} is outside the fictional block")
    return f"{PARTY_PHONE_PREFIX}{serial:04d}"


def id_check_character(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2): weight of position i is 2^(17-i) mod 11."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    return "10X98765432"[total % 11]


def id_number(rng: np.random.Generator, today: dt.date) -> str:
    """An 18-character resident ID of someone aged 18–80, registered in Longxi (invented)."""
    age_days = int(rng.integers(18 * 365 + 5, 80 * 365))
    born = today - dt.timedelta(days=age_days)
    first17 = f"{REGION_PREFIX}{born:%Y%m%d}{int(rng.integers(1, 1000)):03d}"
    return first17 + id_check_character(first17)


class PartyMaker:
    """Hands out parties with distinct phone serials, drawing everything else from ``rng``."""

    def __init__(self, rng: np.random.Generator, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.serial = 0

    def make(self, role: str) -> PartySeed:
        """One invented person in ``role``; one in eight gives no ID number, one in ten no phone."""
        phone = "" if self.rng.random() < 0.1 else party_phone(self.serial % STAFF_PHONE_SERIAL)
        self.serial += 1
        number = "" if self.rng.random() < 0.125 else id_number(self.rng, self.today)
        return PartySeed(role=role, name=person_name(self.rng), phone=phone, id_number=number)
