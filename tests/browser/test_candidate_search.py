"""Issue 20 point 8: the console searches all candidates, not only the top ten, and assigns a
unit found that way with one click, as a row of the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_unit_outside_the_top_ten_is_found_by_name_and_assigned(
    open_page, people, routed, place_responder
):
    for number in range(12):
        place_responder(f"近处调解员{number:02d}", 104.6055 + number * 0.0001, 35.005)
    far = place_responder("远处调解员王五", 104.627, 35.0055)
    page = open_page(people["county"], f"/dispatch/incidents/{routed.pk}/")
    expect(page.locator("#candidates tbody tr")).to_have_count(10)
    expect(page.locator("#candidates")).not_to_contain_text("王五")

    page.get_by_label("搜索全部候选力量（名称、专长、乡镇）").fill("王五")
    page.locator("#candidate-search button[type=submit]").click()
    row = page.locator(f"#candidate-search-results tr[data-responder='{far.pk}']")
    expect(row).to_contain_text("远处调解员王五")
    expect(row.locator("td.eta .eta-source")).not_to_be_empty()
    expect(page.locator("#candidate-search-status")).to_contain_text("找到 1 个力量")

    row.locator("button[type=submit]").click()
    expect(page.locator("#dispatch-status")).to_contain_text("远处调解员王五")
    expect(page.locator("#assignments")).to_contain_text("远处调解员王五")
    assert list(routed.assignments.values_list("responder_id", flat=True)) == [far.pk]
    assert page.errors == []


def test_a_unit_of_another_area_found_by_search_asks_for_a_reason(
    open_page, people, routed, place_responder
):
    other = place_responder("乙乡调解员赵六", 104.632, 35.005, home="621122101000")
    page = open_page(people["county"], f"/dispatch/incidents/{routed.pk}/")
    page.locator("#candidate-search-q").fill("赵六")
    page.locator("#candidate-search button[type=submit]").click()
    row = page.locator(f"#candidate-search-results tr[data-responder='{other.pk}']")
    row.locator("button[type=submit]").click()
    reason = row.locator("input[name=override_reason]")
    expect(reason).to_be_focused()
    assert not routed.assignments.exists()
    reason.fill("本村力量都在忙")
    row.locator("button[type=submit]").click()
    expect(page.locator("#assignments")).to_contain_text("乙乡调解员赵六")
    assert page.errors == []
