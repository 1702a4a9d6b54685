"""Tree invariants of Area and GridWorker, with the messages a user reads."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from gridmap.choices import AreaLevel, ancestor_codes, code_prefix, level_for_code
from gridmap.models import Area, GridWorker, hierarchy_errors
from tests.factories import box, make_area


def test_code_prefix_and_ancestors_follow_the_statistical_code():
    assert code_prefix("621122000000", AreaLevel.COUNTY) == "621122"
    assert code_prefix("621122100000", AreaLevel.TOWNSHIP) == "621122100"
    assert ancestor_codes("621122100001003", AreaLevel.GRID) == [
        "621122000000",
        "621122100000",
        "621122100001",
    ]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("621122000000", "county"),
        ("621122100000", "township"),
        ("621122100001", "village"),
        ("621122100001003", "grid"),
        ("62112210000", None),
        ("62112210000x", None),
    ],
)
def test_level_for_code(code, level):
    assert level_for_code(code) == level


@pytest.mark.django_db
def test_child_level_must_be_one_below_the_parent(network):
    errors = hierarchy_errors(
        code="621122100009", level=AreaLevel.VILLAGE, parent=network["621122000000"]
    )

    assert "one below its parent" in errors["level"]


@pytest.mark.django_db
def test_child_code_must_start_with_the_parent_code(network):
    area = Area(
        code="621122101003",
        name="错位村",
        level=AreaLevel.VILLAGE,
        parent=network["621122100000"],
    )

    with pytest.raises(ValidationError) as raised:
        area.clean()

    assert "starts with its parent" in str(raised.value)


@pytest.mark.django_db
def test_database_refuses_a_grid_code_of_the_wrong_length(network):
    with pytest.raises(IntegrityError):
        make_area(
            "62112210000101",
            "短码网格",
            AreaLevel.GRID,
            network["621122100001"],
            box(104.6, 35.0, 104.61, 35.01),
        )


@pytest.mark.django_db
def test_a_grid_has_one_active_leader(network):
    with pytest.raises(IntegrityError):
        GridWorker.objects.create(area=network["621122100001001"], name="第二人", role="leader")


@pytest.mark.django_db
def test_grid_workers_belong_to_grid_cells(network):
    worker = GridWorker(area=network["621122100001"], name="村里人", role="member")

    with pytest.raises(ValidationError, match="grid cell"):
        worker.clean()
