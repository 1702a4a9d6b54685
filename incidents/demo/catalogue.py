"""How often each category happens, where, when in the year, how it is reported and handled.

Rough, plausible figures for a county of 450,000 (not statistics): about 4,500 matters a year.
"""

from __future__ import annotations

from dataclasses import dataclass

# Monthly multipliers, January first (normalised over the loaded window, so they shape the year
# without changing its total).
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 12,
    # Spring ploughing: boundaries of fields and homesteads are argued over March–May.
    "ploughing": (0.5, 0.9, 2.4, 3.0, 2.4, 1.0, 0.6, 0.5, 0.5, 0.6, 0.5, 0.4),
    # Heating season: stoves, coal, wiring.
    "heating": (2.2, 2.0, 1.2, 0.9, 0.6, 0.5, 0.5, 0.5, 0.6, 0.9, 1.8, 2.3),
    # Gas: heating and indoor stoves, windows shut.
    "gas": (2.6, 2.2, 1.0, 0.6, 0.4, 0.3, 0.3, 0.3, 0.4, 0.8, 2.2, 2.7),
    # Wages are claimed before the Spring Festival.
    "festival_wages": (3.0, 1.2, 0.7, 0.7, 0.7, 0.8, 0.8, 0.7, 0.7, 0.8, 1.3, 2.6),
    # Landslides and collapses of the loess slopes in the rainy season.
    "rainy": (0.2, 0.2, 0.3, 0.5, 0.9, 1.3, 3.0, 3.4, 2.4, 0.8, 0.3, 0.2),
    "rain_buildings": (0.8, 0.8, 0.8, 0.9, 1.0, 1.2, 1.5, 1.6, 1.4, 0.9, 0.8, 0.8),
    # Spring Festival travel, National Day and the harvest on the roads.
    "travel": (1.3, 1.5, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.3, 0.9, 1.0),
}

# Shares of (field, window, hotline, api).
DISPUTE_SOURCES = (0.55, 0.25, 0.15, 0.05)
HAZARD_SOURCES = (0.72, 0.05, 0.15, 0.08)
REQUEST_SOURCES = (0.25, 0.20, 0.50, 0.05)
WINDOW_ONLY = (0.0, 1.0, 0.0, 0.0)
API_ONLY = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class CategorySpec:
    """Where and when one category happens, and how it tends to go."""

    code: str
    per_year: int
    # people: by population; rural: villages only; terrain: by land area of villages.
    place: str = "people"
    urban: float = 1.0  # weight multiplier in the county seat's urban communities
    road_share: float = 0.0  # share placed along the main roads
    road_scale_m: float = 300.0  # mean distance from the road of those
    season: str = "flat"
    tiers: tuple[float, float, float] = (0.72, 0.24, 0.04)
    sources: tuple[float, float, float, float] = DISPUTE_SOURCES
    department: str = ""  # the department a transfer goes to
    unresolved: float = 0.05  # share closed as unresolved
    multi_township: float = 0.0  # share whose second location lies in the next township
    # What kind of place makes a cell hot for this category (incidents.demo.structure.THEMES).
    theme: str = "households"
    # Follow-on matters each matter brings on average (near-repeats; incidents.demo.structure).
    follow_on: float = 0.15


CATEGORY_SPECS: tuple[CategorySpec, ...] = (
    CategorySpec(
        "marriage-family",
        330,
        urban=2.2,
        department="legal-services",
        theme="households",
        follow_on=0.2,
    ),
    CategorySpec(
        "neighbours",
        420,
        urban=2.4,
        unresolved=0.04,
        theme="households",
        follow_on=0.3,
    ),
    CategorySpec(
        "land-forest",
        230,
        place="rural",
        season="ploughing",
        department="agriculture",
        unresolved=0.08,
        multi_township=0.12,
        theme="land",
        follow_on=0.35,
    ),
    CategorySpec(
        "homestead-housing",
        190,
        place="rural",
        season="ploughing",
        department="natural-resources",
        unresolved=0.07,
        theme="land",
        follow_on=0.3,
    ),
    CategorySpec(
        "labour-wages",
        230,
        urban=3.0,
        season="festival_wages",
        tiers=(0.6, 0.33, 0.07),
        department="labour-inspection",
        unresolved=0.07,
        theme="business",
        follow_on=0.3,
    ),
    CategorySpec(
        "land-acquisition",
        70,
        urban=1.5,
        road_share=0.3,
        road_scale_m=800.0,
        tiers=(0.35, 0.5, 0.15),
        department="natural-resources",
        unresolved=0.15,
        multi_township=0.15,
        theme="land",
        follow_on=0.4,
    ),
    CategorySpec(
        "medical",
        60,
        urban=4.0,
        tiers=(0.5, 0.4, 0.1),
        department="health",
        unresolved=0.1,
        theme="business",
        follow_on=0.1,
    ),
    CategorySpec(
        "contracts",
        150,
        urban=3.2,
        department="court-window",
        unresolved=0.06,
        theme="business",
        follow_on=0.1,
    ),
    CategorySpec(
        "damages",
        180,
        urban=2.2,
        road_share=0.3,
        department="police-window",
        theme="business",
        follow_on=0.1,
    ),
    CategorySpec(
        "dispute-other",
        120,
        urban=2.0,
        theme="households",
        follow_on=0.15,
    ),
    CategorySpec(
        "fire",
        280,
        urban=1.6,
        road_share=0.1,
        season="heating",
        sources=HAZARD_SOURCES,
        department="emergency",
        unresolved=0.03,
        theme="old-housing",
        follow_on=0.15,
    ),
    CategorySpec(
        "traffic",
        420,
        urban=1.2,
        road_share=0.85,
        road_scale_m=120.0,
        season="travel",
        tiers=(0.8, 0.18, 0.02),
        sources=HAZARD_SOURCES,
        department="police-window",
        unresolved=0.03,
        multi_township=0.02,
        theme="roads",
        follow_on=0.1,
    ),
    CategorySpec(
        "geological",
        150,
        place="terrain",
        road_share=0.2,
        season="rainy",
        tiers=(0.5, 0.35, 0.15),
        sources=HAZARD_SOURCES,
        department="natural-resources",
        unresolved=0.05,
        multi_township=0.08,
        theme="slopes",
        follow_on=0.4,
    ),
    CategorySpec(
        "buildings",
        200,
        urban=1.3,
        season="rain_buildings",
        sources=HAZARD_SOURCES,
        department="housing-construction",
        unresolved=0.04,
        theme="old-housing",
        follow_on=0.2,
    ),
    CategorySpec(
        "gas",
        220,
        urban=3.5,
        season="gas",
        sources=HAZARD_SOURCES,
        department="housing-construction",
        unresolved=0.02,
        theme="old-housing",
        follow_on=0.25,
    ),
    CategorySpec(
        "public-order",
        180,
        urban=2.2,
        road_share=0.3,
        sources=HAZARD_SOURCES,
        department="police-window",
        unresolved=0.04,
        theme="business",
        follow_on=0.2,
    ),
    CategorySpec(
        "food-safety",
        110,
        urban=2.8,
        sources=HAZARD_SOURCES,
        department="market-regulation",
        unresolved=0.03,
        theme="business",
        follow_on=0.2,
    ),
    CategorySpec(
        "hazard-other",
        90,
        road_share=0.4,
        sources=HAZARD_SOURCES,
        department="emergency",
        theme="roads",
        follow_on=0.1,
    ),
    CategorySpec(
        "petition-letter",
        90,
        urban=1.5,
        tiers=(0.5, 0.4, 0.1),
        sources=WINDOW_ONLY,
        department="petitions",
        unresolved=0.12,
        theme="petitions",
        follow_on=0.3,
    ),
    CategorySpec(
        "petition-visit",
        150,
        urban=1.5,
        tiers=(0.5, 0.4, 0.1),
        sources=WINDOW_ONLY,
        department="petitions",
        unresolved=0.12,
        theme="petitions",
        follow_on=0.3,
    ),
    CategorySpec(
        "petition-online",
        90,
        urban=1.8,
        tiers=(0.55, 0.38, 0.07),
        sources=API_ONLY,
        department="petitions",
        unresolved=0.1,
        theme="petitions",
        follow_on=0.3,
    ),
    CategorySpec(
        "request-livelihood",
        250,
        urban=1.4,
        tiers=(0.85, 0.14, 0.01),
        sources=REQUEST_SOURCES,
        department="human-resources-window",
        theme="households",
        follow_on=0.1,
    ),
    CategorySpec(
        "request-services",
        160,
        urban=1.8,
        tiers=(0.85, 0.14, 0.01),
        sources=REQUEST_SOURCES,
        department="education",
        theme="households",
        follow_on=0.1,
    ),
    CategorySpec(
        "request-environment",
        130,
        urban=1.6,
        tiers=(0.85, 0.14, 0.01),
        sources=REQUEST_SOURCES,
        department="housing-construction",
        theme="business",
        follow_on=0.1,
    ),
)

# Share of matters handed to the category's department, by kind (petitions: routed straight to
# the petitions bureau stationed at the county center).
TRANSFER_SHARE: dict[str, float] = {
    "dispute": 0.06,
    "hazard": 0.10,
    "petition": 0.40,
    "request": 0.08,
}
