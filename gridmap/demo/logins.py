"""The demo's logins: one user per role, all with the same published demo password."""

from __future__ import annotations

from dataclasses import dataclass

from gridmap.demo.reference import COUNTY_CODE

# Published in the README and printed by `manage.py demo_logins`: never use it outside the demo.
DEMO_PASSWORD = "pingan2026"
GRID_LEADER_GRID = "621122100001001"  # 东城社区第1网格, the first grid of the county seat


@dataclass(frozen=True)
class DemoLogin:
    """One demo user: role values are ``accounts.choices.Role`` (gridmap cannot import accounts)."""

    username: str
    role: str
    jurisdiction_code: str
    display_name: str
    superuser: bool = False


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "county_admin", COUNTY_CODE, "县综治中心系统管理员", superuser=True),
    DemoLogin("dispatcher", "dispatcher", COUNTY_CODE, "县综治中心调度员"),
    DemoLogin("township", "dispatcher", "621122100000", "巩昌镇综治中心调度员"),
    # The grid leader's display name and phone are those of the grid's generated leader.
    DemoLogin("gridleader", "grid_leader", GRID_LEADER_GRID, ""),
    DemoLogin("responder", "responder", COUNTY_CODE, "县人民调解员"),
    DemoLogin("leader", "leadership", COUNTY_CODE, "县委政法委领导"),
)
