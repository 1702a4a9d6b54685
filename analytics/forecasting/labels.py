"""Words for a stored outlook: category groups, lags, models and the skill in plain language.

Shared by the map layer, the briefing's early-warning section and the notifications, so the
three say the same thing. Everything is translated when it is read (lazy), in the reader's
language.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.forecasting.backtest import ADDS_SKILL, NO_GAIN, NO_SKILL
from analytics.forecasting.yardsticks import SKILL_SHARE

GROUP_LABELS = {
    "family-neighbours": gettext_lazy("Family and neighbours"),
    "land-housing": gettext_lazy("Land and housing"),
    "labour-contracts": gettext_lazy("Labour, contracts, damages"),
    "medical": gettext_lazy("Medical disputes"),
    "dispute-other": gettext_lazy("Other disputes"),
    "fire-gas": gettext_lazy("Fire and gas"),
    "traffic": gettext_lazy("Traffic"),
    "geological-buildings": gettext_lazy("Geological and buildings"),
    "public-order": gettext_lazy("Public order"),
    "hazard-other": gettext_lazy("Food safety and other hazards"),
    "petitions": gettext_lazy("Petitions"),
    "requests": gettext_lazy("Requests"),
}

# The lag features of analytics.forecasting.features, as a reader would say them.
DRIVER_LABELS = {
    "own_last": gettext_lazy("matters here last month"),
    "own_mean3": gettext_lazy("matters here over the last 3 months"),
    "own_mean12": gettext_lazy("matters here over the last 12 months"),
    "own_record": gettext_lazy("a long record of matters here"),
    "cell_all_last": gettext_lazy("other kinds of matters here last month"),
    "neighbours_last": gettext_lazy("matters in the neighbouring cells last month"),
    "neighbours_mean3": gettext_lazy("matters in the neighbouring cells over 3 months"),
}

MODEL_LABELS = {
    "last": gettext_lazy("last month's counts"),
    "mean3": gettext_lazy("the 3-month mean"),
    "mean12": gettext_lazy("the 12-month mean"),
    "gistar": gettext_lazy("last month's Gi* hot spots"),
    "kde": gettext_lazy("kernel density with time decay"),
    "glm": gettext_lazy("Poisson regression on lags and season"),
    "hgb": gettext_lazy("gradient boosting on lags and season"),
    "hawkes": gettext_lazy("self-exciting point process"),
}


def label(labels: dict, code: str) -> str:
    """The label of ``code`` in ``labels``, or the code itself when it has none."""
    return str(labels.get(code, code))


def drivers_text(drivers: list[str]) -> str:
    """The drivers of a cell as one phrase ("matters here last month; …"), "" if none."""
    return _("; ").join(label(DRIVER_LABELS, name) for name in drivers)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def skill_text(stored: object) -> str:
    """The model's backtest skill at 5 % of the area, in plain words, with the verdict.

    ``stored`` is a StoredOutlook. When the model has no measured skill the sentence says so and
    that the cells are no better than a guess: pages and messages must not overstate a forecast.
    """
    values = {
        "model": label(MODEL_LABELS, stored.model),
        "months": stored.backtest_periods,
        # The backtest measures the flagging of SKILL_SHARE whatever share an outlook flags.
        "share": f"{100 * SKILL_SHARE:.0f}%",
        "pai": _number(stored.pai),
        "low": _number(stored.pai_low),
        "high": _number(stored.pai_high),
        "baseline": label(MODEL_LABELS, stored.baseline),
        "baseline_pai": _number(stored.baseline_pai),
    }
    if stored.verdict == NO_SKILL:
        return (
            _(
                "No measured skill: over the last %(months)s months the %(share)s of the area the "
                "forecast (%(model)s) flagged caught %(pai)s times the matters an area that size "
                "gets on average (interval %(low)s–%(high)s, which reaches 1). Treat these cells "
                "as a guess, not a warning."
            )
            % values
        )
    if stored.verdict == NO_GAIN:
        return (
            _(
                "Some skill, but no better than a simple method: over the last %(months)s months "
                "the %(share)s of the area the forecast (%(model)s) flagged caught %(pai)s times "
                "the matters an area that size gets on average (interval %(low)s–%(high)s); "
                "%(baseline)s caught %(baseline_pai)s times."
            )
            % values
        )
    if stored.verdict == ADDS_SKILL:
        return (
            _(
                "Measured skill: over the last %(months)s months the %(share)s of the area the "
                "forecast (%(model)s) flagged caught %(pai)s times the matters an area that size "
                "gets on average (interval %(low)s–%(high)s), against %(baseline_pai)s times for "
                "the best simple method, %(baseline)s."
            )
            % values
        )
    return _(stored.verdict)
