"""The 12 category groups forecasts are made for (the 24 seeded categories, by kind and theme).

A category added later in the admin falls into its kind's "other" group, so no matter is lost.
"""

from __future__ import annotations

# (group code, English label, category codes)
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("family-neighbours", "Family and neighbours", ("marriage-family", "neighbours")),
    ("land-housing", "Land and housing", ("land-forest", "homestead-housing", "land-acquisition")),
    ("labour-contracts", "Labour, contracts, damages", ("labour-wages", "contracts", "damages")),
    ("medical", "Medical disputes", ("medical",)),
    ("dispute-other", "Other disputes", ("dispute-other",)),
    ("fire-gas", "Fire and gas", ("fire", "gas")),
    ("traffic", "Traffic", ("traffic",)),
    ("geological-buildings", "Geological and buildings", ("geological", "buildings")),
    ("public-order", "Public order", ("public-order",)),
    ("hazard-other", "Food safety and other hazards", ("food-safety", "hazard-other")),
    ("petitions", "Petitions", ("petition-letter", "petition-visit", "petition-online")),
    ("requests", "Requests", ("request-livelihood", "request-services", "request-environment")),
)
GROUP_CODES: tuple[str, ...] = tuple(code for code, _label, _categories in GROUPS)
_OF_CATEGORY = {category: i for i, (_c, _l, cats) in enumerate(GROUPS) for category in cats}
_OTHER_OF_KIND = {
    "dispute": GROUP_CODES.index("dispute-other"),
    "hazard": GROUP_CODES.index("hazard-other"),
    "petition": GROUP_CODES.index("petitions"),
    "request": GROUP_CODES.index("requests"),
}


def group_index(category_code: str, kind: str) -> int:
    """The group index of a category (its kind's catch-all group when it is not listed)."""
    found = _OF_CATEGORY.get(category_code)
    return found if found is not None else _OTHER_OF_KIND.get(kind, len(GROUPS) - 1)
