"""The demo's years before the last, loaded as a synthetic ledger through the ledger importer.

One module-wide load: the demo county, its last year (load_demo_incidents, the default) and a
slice of the ledger before it — two months of the county seat's township (load_demo_ledger
--months 2 --township …) — rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import unicodedata

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from analytics.queries import MatterFilter, matters
from gridmap.demo.county import SEAT_TOWNSHIP
from gridmap.models import Area
from incidents.choices import State
from incidents.demo.outcomes import outcome_texts
from incidents.demo.plan import live_start
from incidents.models import Incident
from incidents.queries import overdue_q
from incidents.rates import monthly_rates
from onboarding.demo_ledger import HEADERS, LABEL, SHEET
from onboarding.models import ImportBatch, ImportedMatter
from tests.demo_county import demo_loaded
from tests.factories import seed_categories

pytestmark = pytest.mark.django_db
MONTHS = 2


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-ledger") / "longxi-demo-ledger-synthetic.xlsx"


@pytest.fixture(scope="module", autouse=True)
def demo_history(django_db_setup, django_db_blocker, ledger_path):
    with django_db_blocker.unblock():
        # The seeded tables, as migrated (a flushing test elsewhere may have emptied them).
        seed_categories()
        importlib.import_module("onboarding.migrations.0002_seed_category_mapping").seed(apps, None)
    ledger = f"load_demo_ledger --months {MONTHS} --township {SEAT_TOWNSHIP} --output {ledger_path}"
    # The command's output is read in English.
    with (
        translation.override("en"),
        demo_loaded(django_db_blocker, "load_demo_incidents", ledger) as outputs,
    ):
        yield outputs[ledger]


@pytest.fixture(scope="module")
def sheet(ledger_path):
    """The ledger file's rows as written (title row, header row, data)."""
    book = CalamineWorkbook.from_path(str(ledger_path))
    return book.sheet_names[0], book.get_sheet_by_index(0).to_python()


def imported():
    return Incident.objects.filter(imported=True)


def township():
    return Area.objects.current().get(code=SEAT_TOWNSHIP)


def test_the_ledger_file_says_it_is_synthetic(sheet):
    name, rows = sheet

    assert name == SHEET
    assert LABEL in rows[0][0]
    assert tuple(rows[1][: len(HEADERS)]) == HEADERS


def test_an_import_record_labelled_synthetic_holds_every_row(sheet, demo_history):
    _name, rows = sheet
    batch = ImportBatch.objects.get(kind="ledger", undone_at=None)

    assert "synthetic" in batch.by_label
    assert "synthetic" in batch.file_name
    assert batch.rows == batch.created == len(rows) - 2 > 50
    assert imported().count() == batch.created
    assert "Imported the synthetic demo ledger" in demo_history


def test_matters_are_closed_with_their_original_numbers_and_dates(sheet):
    _name, rows = sheet
    by_number = {
        record.original_number: record
        for record in ImportedMatter.objects.select_related("incident")
    }
    tz = timezone.get_current_timezone()

    for row in rows[2:]:
        number, received, closed = row[0], row[1], row[15]
        matter = by_number[number].incident
        assert matter.state == State.CLOSED
        assert matter.received_at.astimezone(tz).replace(tzinfo=None) == received
        assert matter.handled_at.astimezone(tz).replace(tzinfo=None) == closed
        assert matter.township_id == township().pk


def test_rows_by_place_name_are_marked_approximate(sheet):
    _name, rows = sheet
    by_name = {row[0] for row in rows[2:] if row[11] == ""}
    approximate = set(
        ImportedMatter.objects.filter(incident__location_approximate=True).values_list(
            "original_number", flat=True
        )
    )

    assert by_name  # some rows give only the place's names …
    assert len(by_name) < (len(rows) - 2) / 2  # … most have coordinates
    assert approximate == by_name


def test_categories_are_mapped_and_outcomes_fit_them(demo_history):
    batch = ImportBatch.objects.get(kind="ledger", undone_at=None)
    assert batch.report["warnings"] == []  # every 类别 text is in the mapping
    assert "warning (" not in demo_history
    for code, result, outcome in imported().values_list("category__code", "result", "outcome"):
        texts = outcome_texts(code, resolved=result == "resolved")
        # The importer stores cells NFKC-normalised (full-width commas become ASCII ones).
        assert outcome in {unicodedata.normalize("NFKC", text) for text in texts}, code


def test_the_ledger_ends_where_the_live_year_begins():
    tz = timezone.get_current_timezone()
    start = live_start(timezone.localdate())
    span = imported().aggregate(first=Min("received_at"), last=Max("received_at"))
    live = Incident.objects.filter(synthetic=True).aggregate(first=Min("received_at"))

    assert span["last"].astimezone(tz).date() < start <= live["first"].astimezone(tz).date()
    assert span["first"].astimezone(tz).date() >= start - dt.timedelta(days=MONTHS * 31)
    assert not Incident.objects.filter(imported=True, synthetic=True).exists()


def test_analytics_count_the_ledger_months_and_queues_do_not():
    tz = timezone.get_current_timezone()
    first = imported().aggregate(first=Min("received_at"))["first"].astimezone(tz).date()
    start, end = first.replace(day=1), timezone.localdate() + dt.timedelta(days=1)
    months = monthly_rates(area=township(), start=start, end=end)
    in_ledger = {
        m.month: m.rates.received
        for m in months
        if m.month < live_start(timezone.localdate()).replace(day=1)
    }

    assert len(in_ledger) >= MONTHS  # the ledger's months are in the monthly series …
    assert all(count > 0 for count in in_ledger.values())  # … with their matters counted
    assert sum(m.rates.received for m in months) == (
        Incident.objects.filter(township=township(), received_at__date__gte=start).count()
    )
    everything = MatterFilter(area=township(), start=start, end=end)
    assert matters(everything).filter(imported=True).count() == imported().count()
    recorded_only = MatterFilter(area=township(), start=start, end=end, include_imported=False)
    assert not matters(recorded_only).filter(imported=True).exists()
    assert not imported().filter(overdue_q()).exists()  # closed: never in today's queues


def test_a_second_run_adds_nothing(ledger_path):
    before = (imported().count(), ImportBatch.objects.count())
    output = io.StringIO()

    with translation.override("en"):
        call_command("load_demo_ledger", "--output", str(ledger_path), stdout=output)

    assert "--force" in output.getvalue()  # "already imported (use --force …)"
    assert (imported().count(), ImportBatch.objects.count()) == before


def test_the_same_ledger_imported_again_adds_nothing(ledger_path):
    before = imported().count()
    output = io.StringIO()

    call_command("import_ledger", str(ledger_path), stdout=output)

    assert imported().count() == before
    assert ImportBatch.objects.order_by("-pk").first().unchanged == before
