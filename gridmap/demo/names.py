"""Invented but plausible names and fictional phone numbers for the demo's people."""

from __future__ import annotations

import numpy as np

# Common surnames in eastern Gansu, most frequent first; weights are rough shares, not statistics.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 12),
    ("李", 11),
    ("张", 9),
    ("刘", 7),
    ("杨", 6),
    ("陈", 5),
    ("赵", 5),
    ("马", 5),
    ("汪", 4),
    ("董", 3),
    ("魏", 3),
    ("牛", 3),
    ("郭", 3),
    ("何", 3),
    ("冯", 2),
    ("苟", 2),
    ("党", 2),
    ("漆", 2),
    ("石", 2),
    ("孙", 2),
    ("任", 2),
    ("蔺", 1),
    ("景", 1),
    ("包", 1),
    ("岳", 1),
    ("裴", 1),
    ("巩", 1),
    ("权", 1),
    ("文", 1),
    ("柴", 1),
)
GIVEN_MALE = "建国文明军华平强伟志永海福宏俊斌鹏涛刚东成荣学忠德兴生林"
GIVEN_FEMALE = "芳丽娟霞燕红梅兰萍琴玲静慧英艳敏秀小春雪"

# 199-0000-xxxx: a block kept visibly fake so that nobody dials a demo number by mistake.
FICTIONAL_PHONE_PREFIX = "1990000"

_SURNAME_CHARS = [surname for surname, _ in SURNAMES]
_SURNAME_WEIGHTS = np.array([weight for _, weight in SURNAMES], dtype=float)
_SURNAME_WEIGHTS /= _SURNAME_WEIGHTS.sum()


def person_name(rng: np.random.Generator) -> str:
    """A surname and a one- or two-character given name, drawn from ``rng``."""
    surname = _SURNAME_CHARS[int(rng.choice(len(_SURNAME_CHARS), p=_SURNAME_WEIGHTS))]
    pool = GIVEN_FEMALE if rng.random() < 0.35 else GIVEN_MALE
    length = 1 if rng.random() < 0.3 else 2
    given = "".join(pool[int(i)] for i in rng.choice(len(pool), size=length, replace=False))
    return surname + given


def fictional_phone(serial: int) -> str:
    """The ``serial``-th number of the fictional block (1990000xxxx)."""
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial {serial} is outside the fictional block")
    return f"{FICTIONAL_PHONE_PREFIX}{serial:04d}"
