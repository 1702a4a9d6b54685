"""The demo's outcome texts: one list per category, read by the ledger importer as they mean."""

from __future__ import annotations

import numpy as np
import pytest

from incidents.demo.outcomes import OUTCOMES, outcome_texts, pick_outcome
from incidents.seed import CATEGORIES
from onboarding.ledger import _UNRESOLVED

CODES = [code for code, _kind, _name, _en in CATEGORIES]


def test_every_category_has_its_own_outcomes():
    assert set(OUTCOMES) == set(CODES)
    for code in CODES:
        resolved, unresolved = OUTCOMES[code]
        assert len(resolved) >= 2, code
        assert len(unresolved) >= 2, code
        others = {t for other in CODES if other != code for pair in OUTCOMES[other] for t in pair}
        # No text is shared with another category (a generic one would fit none of them).
        assert not (set(resolved) | set(unresolved)) & others, code


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("resolved", [True, False])
def test_a_generated_outcome_comes_from_its_categorys_list(code, resolved):
    rng = np.random.default_rng([7, len(code)])
    drawn = {pick_outcome(rng, code, resolved=resolved) for _ in range(200)}

    assert drawn == set(outcome_texts(code, resolved=resolved))  # all of them, nothing else


@pytest.mark.parametrize("code", CODES)
def test_the_ledger_importer_reads_the_result_from_the_outcome(code):
    """The demo ledger's 化解结果 is one of these texts: the importer finds 未果/未解决 … in the
    unresolved ones and in no resolved one."""
    resolved, unresolved = OUTCOMES[code]

    assert not [text for text in resolved if _UNRESOLVED.search(text)]
    assert all(_UNRESOLVED.search(text) for text in unresolved)
