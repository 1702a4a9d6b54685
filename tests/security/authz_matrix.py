"""The authorization matrix: every URL pattern of config/urls.py, what each role gets.

One entry per URL pattern (its name, ``namespace:name`` inside an app). ``expect`` gives, for the
six identities in the order of ``IDENTITIES``, the status of the probe inside the user's
jurisdiction and outside it, written ``200`` (both sides) or ``(200, 404)`` (inside, outside).
The users sit at township A (the grid leader at grid A1 south); "outside" means the same kind of
object in township B (tests/security/world.py). ``args(world, side)`` builds the URL's kwargs,
``query`` the query string, ``body`` the form/JSON body of a write probe.

Adding a URL: add one line ``E("name", M(...), ...)`` below (docs/security/authorization.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

IDENTITIES = ("anonymous", "county_admin", "dispatcher", "grid_leader", "responder", "leadership")

OK, CREATED, FOUND, BAD, UNAUTH, FORBID, NF, NA, CONFLICT = (
    200,
    201,
    302,
    400,
    401,
    403,
    404,
    405,
    409,
)
LOGIN = FOUND  # a page refused to an anonymous visitor: redirect to the login page

Status = int | tuple[int, int]


def M(anon: Status, admin: Status, disp: Status, leader: Status, resp: Status, lead: Status):  # noqa: N802  (reads as a table row)
    """The expected statuses, one per identity in IDENTITIES order."""
    return dict(zip(IDENTITIES, (anon, admin, disp, leader, resp, lead), strict=True))


ALL = M(OK, OK, OK, OK, OK, OK)  # public
SIGNED_IN = M(LOGIN, OK, OK, OK, OK, OK)  # any signed-in page (content scoped)
API_SIGNED_IN = M(UNAUTH, OK, OK, OK, OK, OK)
SEEN = (OK, NF)  # the object is shown inside, "not found" outside


def _matter(w, side):
    return {"pk": w.sides[side].matter.pk}


def _assignment(w, side):
    return {"pk": w.sides[side].assignment.pk}


def _point(w, side):
    lon, lat = w.sides[side].point
    return {"lon": lon, "lat": lat}


@dataclass(frozen=True)
class E:
    """One URL pattern's rule: the probe to send and the status each identity gets."""

    name: str
    expect: dict[str, Status]
    method: str = "get"
    args: Callable | None = None
    query: Callable | dict | None = None
    body: dict = field(default_factory=dict)
    json: bool = False  # send the body as JSON (API writes)

    def status(self, identity: str, side: str) -> int:
        value = self.expect[identity]
        return value if isinstance(value, int) else value[0 if side == "in" else 1]

    @property
    def probe_id(self) -> str:
        return f"{self.method.upper()} {self.name}"


def _area(w, side):
    return {"area": w.sides[side].area.code}


def _tile(w, side):
    from tests.security.world import tile_of

    return tile_of(*w.sides[side].point)


def _bbox(w, side):
    lon, lat = w.sides[side].point
    return {"bbox": f"{lon - 0.004},{lat - 0.004},{lon + 0.004},{lat + 0.004}", "zoom": 15}


def _offer_note(w, side):
    from notify.models import Notification

    note = Notification.objects.filter(incident=w.sides[side].matter, event="offer", channel="site")
    return {"pk": note.values_list("pk", flat=True).get()}


def _failed_note(w, side):
    """A failed group message to the side's township center (made inside the probe's savepoint)."""
    from notify.models import Notification

    note = Notification.objects.create(
        event="test", event_key="probe", center=w.sides[side].area, channel="wecom", title="t",
        text="x", status="failed",
    )  # fmt: skip
    return {"pk": note.pk}


def _patrol(w, side):
    """A patrol of the side's grid leader (made inside the probe's savepoint): at grid A1 south
    the probing grid leader's own; in township B a leader made for the probe."""
    from accounts.choices import Role
    from accounts.models import User
    from patrols.models import Patrol

    if side == "in":
        leader = w.users[Role.GRID_LEADER]
    else:
        grid = w.sides[side].grid
        leader = User.objects.create_user(
            username="probe-leader-b", password="x", role=Role.GRID_LEADER, jurisdiction=grid
        )
    patrol = Patrol.objects.create(leader=leader, grid=leader.jurisdiction, started_at=_now())
    return {"pk": patrol.pk}


def _patrol_uid(w, side):
    """The same patrol, named by its uid (the offline queue's address)."""
    from patrols.models import Patrol

    return {"uid": Patrol.objects.get(pk=_patrol(w, side)["pk"]).uid}


def _now():
    from django.utils import timezone

    return timezone.now()


def _upload(w, side):
    """An upload of the probing county administrator ("in") or of another account ("out")."""
    from accounts.models import User
    from onboarding.models import ImportUpload

    owner = w.users["county_admin"] if side == "in" else User.objects.get(username="responder-b")
    upload = ImportUpload.objects.create(
        user=owner, kind="staff", file="onboarding/probe.xlsx", original_name="probe.xlsx"
    )
    return {"pk": upload.pk}


ADMINS_ONLY = M(LOGIN, OK, FORBID, FORBID, FORBID, FORBID)


RULES: tuple[E, ...] = (
    # --- site, accounts, language ---------------------------------------------------------------
    E("health", ALL),
    E("ready", ALL),
    # The field app (config/pwa.py): worker and manifest public, the start page by role.
    E("pwa-service-worker", ALL),
    E("pwa-manifest", ALL),
    E("pwa-start", M(LOGIN, FOUND, FOUND, FOUND, FOUND, FOUND)),
    E("home", ALL),
    E("area-map", ALL),
    E("set_language", M(*[FOUND] * 6), "post", body={"language": "en", "next": "/"}),
    E("login", ALL),
    E("logout", M(*[FOUND] * 6), "post"),
    E("api-token", M(*[BAD] * 6), "post", body={"username": "probe-dispatcher", "password": "no"}),
    E("api-me", API_SIGNED_IN),
    # Only the token the request is authenticated with can be revoked: a session is refused.
    E("api-token-revoke", M(*[UNAUTH] * 6), "post", json=True),
    E("account-security", SIGNED_IN),
    E("account-password", M(LOGIN, BAD, BAD, BAD, BAD, BAD), "post"),
    # Revoking acts on one's own tokens only: anyone else's id changes nothing, back to the page.
    E("account-token-revoke", M(*[FOUND] * 6), "post", args=lambda w, s: {"pk": 999_999}),
    E("account-sessions-end-others", M(*[FOUND] * 6), "post"),
    # The personal-data access log: county administrators only.
    E("access-log", M(LOGIN, OK, FORBID, FORBID, FORBID, FORBID)),
    E("access-log-csv", M(LOGIN, OK, FORBID, FORBID, FORBID, FORBID)),
    # --- the Import page (issue 19): county administrators, their own uploads ------------------
    E("onboarding-imports", ADMINS_ONLY),
    E("onboarding-template", ADMINS_ONLY, args=lambda w, s: {"kind": "staff"}),
    E("onboarding-upload", M(LOGIN, SEEN, FORBID, FORBID, FORBID, FORBID), args=_upload),
    E("onboarding-upload-state", M(LOGIN, SEEN, FORBID, FORBID, FORBID, FORBID), args=_upload),
    # A checking upload is not waiting for confirmation: back to its page with a message.
    E(
        "onboarding-upload-confirm",
        M(LOGIN, (FOUND, NF), FORBID, FORBID, FORBID, FORBID),
        "post",
        args=_upload,
    ),
    # No bad-rows report yet (inside), or not one's own upload (outside): 404.
    E("onboarding-upload-errors", M(LOGIN, NF, FORBID, FORBID, FORBID, FORBID), args=_upload),
    # The passwords were never issued: back to the page with a message.
    E(
        "onboarding-upload-passwords",
        M(LOGIN, (FOUND, NF), FORBID, FORBID, FORBID, FORBID),
        "post",
        args=_upload,
    ),
    E("schema", ALL),
    E("api-docs", ALL),
    # --- the grid network (public but for workers) ---------------------------------------------
    E("api-locate", ALL, query=_point),
    E("api-area-list", ALL),
    E("api-area-detail", ALL, args=lambda w, s: {"code": w.sides[s].area.code}),
    E("api-grid-workers", API_SIGNED_IN),
    # --- roads: reach (issue 15); the world loads no roads, so the allowed roles get a 404 ------
    E("api-routing-isochrone", M(UNAUTH, NF, NF, FORBID, FORBID, NF), query=_point),
    # The small maps' context: a view showing part of the user's jurisdiction; elsewhere 404.
    E("api-map-context", M(UNAUTH, SEEN, SEEN, SEEN, SEEN, SEEN), query=_bbox),
    # --- matters: API ---------------------------------------------------------------------------
    E("api-incident-list", API_SIGNED_IN),
    # The body is parsed before the role is checked: an invalid body is 400 for every role (a
    # valid one from a responder or leadership: 403, tests/incidents/test_api.py).
    E("api-incident-list", M(UNAUTH, BAD, BAD, BAD, BAD, BAD), "post", json=True),
    E(
        "api-incident-duplicates",
        API_SIGNED_IN,
        query=lambda w, s: {"category": "neighbours", **_point(w, s)},
    ),
    E("api-incident-detail", M(UNAUTH, SEEN, SEEN, SEEN, SEEN, SEEN), args=_matter),
    E(
        "api-incident-action",
        M(UNAUTH, (BAD, NF), (BAD, NF), (BAD, NF), (BAD, NF), (BAD, NF)),
        "post",
        args=lambda w, s: {**_matter(w, s), "action": "resolve"},
        json=True,
    ),
    E("api-categories", API_SIGNED_IN),
    E("api-handling-units", API_SIGNED_IN),
    # --- matters: pages -------------------------------------------------------------------------
    E("incidents:queue", SIGNED_IN),
    E("incidents:field-intake", M(LOGIN, OK, OK, OK, FORBID, FORBID)),
    E("incidents:field-intake", M(LOGIN, BAD, BAD, BAD, FORBID, FORBID), "post"),
    E("incidents:window-intake", M(LOGIN, OK, OK, FORBID, FORBID, FORBID)),
    E("incidents:window-intake", M(LOGIN, BAD, BAD, FORBID, FORBID, FORBID), "post"),
    E("incidents:my-grid", M(LOGIN, FORBID, FORBID, OK, FORBID, FORBID)),
    E("incidents:detail", M(LOGIN, SEEN, SEEN, SEEN, SEEN, SEEN), args=_matter),
    E(
        "incidents:act",
        M(LOGIN, (BAD, NF), (BAD, NF), (BAD, NF), (BAD, NF), (BAD, NF)),
        "post",
        args=lambda w, s: {**_matter(w, s), "action": "resolve"},
    ),
    E(
        "incidents:photo",
        M(LOGIN, SEEN, SEEN, SEEN, SEEN, SEEN),
        args=lambda w, s: {"pk": w.sides[s].photo_id},
    ),
    E("incidents:ledger-xlsx", SIGNED_IN),
    E("incidents:ledger-csv", SIGNED_IN),
    # --- map layers -----------------------------------------------------------------------------
    E("incident-tile", SIGNED_IN, args=_tile),
    E("incident-heat", SIGNED_IN, query=_bbox),
    E("incident-map-filters", SIGNED_IN),
    E("responder-tile", SIGNED_IN, args=_tile),
    # --- dispatch -------------------------------------------------------------------------------
    E("volunteers:queue", M(LOGIN, OK, OK, FORBID, FORBID, FORBID)),
    E(
        "volunteers:console",
        M(LOGIN, SEEN, SEEN, (FORBID, NF), (FORBID, NF), (FORBID, NF)),
        args=_matter,
    ),
    E(
        "volunteers:assign",
        M(LOGIN, (BAD, NF), (BAD, NF), (FORBID, NF), (FORBID, NF), (FORBID, NF)),
        "post",
        args=_matter,
        body={"responder": "x"},
    ),
    E(
        "volunteers:cancel",
        M(LOGIN, (FOUND, NF), (FOUND, NF), NF, (CONFLICT, NF), NF),
        "post",
        args=_assignment,
    ),
    E("volunteers:responder", M(LOGIN, FORBID, FORBID, FORBID, OK, FORBID)),
    E(
        "volunteers:step",
        M(LOGIN, (CONFLICT, NF), (CONFLICT, NF), NF, (FOUND, NF), NF),
        "post",
        args=lambda w, s: {**_assignment(w, s), "action": "accept"},
    ),
    E(
        "api-incident-candidates",
        M(UNAUTH, SEEN, SEEN, (FORBID, NF), (FORBID, NF), (FORBID, NF)),
        args=_matter,
    ),
    E(
        "api-candidate-route",
        M(UNAUTH, SEEN, SEEN, (FORBID, NF), (FORBID, NF), (FORBID, NF)),
        args=lambda w, s: {**_matter(w, s), "responder": w.sides[s].unit.pk},
    ),
    E(
        "api-incident-assign",
        # Body validated before the matter is looked up: an invalid body is 400 for everyone.
        M(UNAUTH, BAD, BAD, BAD, BAD, BAD),
        "post",
        args=_matter,
        body={"responder": "x"},
        json=True,
    ),
    E("api-incident-assignments", M(UNAUTH, SEEN, SEEN, SEEN, SEEN, SEEN), args=_matter),
    E("api-my-assignments", API_SIGNED_IN),
    E(
        "api-assignment-action",
        M(UNAUTH, (CONFLICT, NF), (CONFLICT, NF), NF, (OK, NF), NF),
        "post",
        args=lambda w, s: {**_assignment(w, s), "action": "accept"},
        json=True,
    ),
    E(
        "api-responder-position",
        M(UNAUTH, FORBID, FORBID, FORBID, (BAD, FORBID), FORBID),
        "post",
        args=lambda w, s: {"pk": w.sides[s].unit.pk},
        body={"lon": "x"},
        json=True,
    ),
    # --- live notifications (issue 13): each user's own rows only (tests/notify/test_live_feed.py)
    # The stream is ASGI-only: the test client is WSGI, where it answers 204 (live.js then polls).
    E("notifications-stream", M(UNAUTH, *[204] * 5)),
    E("notifications-poll", API_SIGNED_IN),
    # --- notifications (one's own; the delivery log: county administrators, jurisdiction) --------
    E("notify:list", SIGNED_IN),
    E("api-notifications", API_SIGNED_IN),
    # The offer of the side's matter went to the probe responder (inside) / to township B's one.
    E("notify:read", M(LOGIN, NF, NF, NF, (FOUND, NF), NF), "post", args=_offer_note),
    E("api-notification-read", M(UNAUTH, NF, NF, NF, (OK, NF), NF), "post", args=_offer_note),
    E("notify:read-all", M(*[FOUND] * 6), "post"),
    E("api-notifications-read-all", API_SIGNED_IN, "post", json=True),
    E("notify:preferences", SIGNED_IN),
    E("notify:preferences", M(LOGIN, BAD, BAD, BAD, BAD, BAD), "post", body={"quiet_end": "x"}),
    E("notify:deliveries", M(LOGIN, OK, FORBID, FORBID, FORBID, FORBID)),
    E(
        "notify:retry",
        M(LOGIN, (FOUND, NF), FORBID, FORBID, FORBID, FORBID),
        "post",
        args=_failed_note,
    ),
    # --- analytics ------------------------------------------------------------------------------
    E(
        "analytics:index",
        M(LOGIN, OK, FORBID, FORBID, FORBID, OK),
        query={"include_imported": "0"},
    ),
    E(
        "analytics:briefing",
        M(LOGIN, (BAD, BAD), FORBID, FORBID, FORBID, (BAD, BAD)),
        # include_imported (issue 19): the analytics filter of imported ledger matters.
        query=lambda w, s: {**_area(w, s), "period": "not-a-period", "include_imported": "0"},
    ),
    E(
        "analytics:briefing-pdf",
        M(LOGIN, (BAD, BAD), FORBID, FORBID, FORBID, (BAD, BAD)),
        query=lambda w, s: {**_area(w, s), "period": "not-a-period", "include_imported": "0"},
    ),
    # Stored (scheduled) briefings: of the jurisdiction only (tests/analytics/test_scheduled.py).
    E(
        "analytics:stored-briefing",
        M(LOGIN, SEEN, FORBID, FORBID, FORBID, SEEN),
        args=lambda w, s: {"pk": w.sides[s].briefing.pk},
    ),
    E(
        "analytics:stored-briefing-pdf",
        M(LOGIN, SEEN, FORBID, FORBID, FORBID, SEEN),
        args=lambda w, s: {"pk": w.sides[s].briefing.pk},
    ),
    E(
        "api-analytics-heatmap",
        # A grid leader's jurisdiction is one grid: a township is outside it on both sides.
        M(UNAUTH, (OK, BAD), (OK, BAD), BAD, (OK, BAD), (OK, BAD)),
        query=lambda w, s: {**_area(w, s), "include_imported": "0"},
    ),
    # The service circle (issue 15): the world loads no roads, so the allowed roles get a 404
    # inside and a 400 for township B's area outside their jurisdiction.
    E(
        "api-analytics-coverage",
        M(UNAUTH, (NF, BAD), (NF, BAD), FORBID, FORBID, (NF, BAD)),
        query=_area,
    ),
    E(
        "api-analytics-coverage-gaps",
        M(UNAUTH, (NF, BAD), (NF, BAD), FORBID, FORBID, (NF, BAD)),
        query=_area,
    ),
    # The early-warning layer (issue 17): the world stores no outlook, so the allowed roles get a
    # 404 inside and a 400 for township B's area outside their jurisdiction.
    E(
        "api-analytics-forecast",
        M(UNAUTH, (NF, BAD), (NF, BAD), FORBID, FORBID, (NF, BAD)),
        query=_area,
    ),
    E(
        "api-analytics-hotspot-run",
        M(UNAUTH, SEEN, SEEN, NF, SEEN, SEEN),  # the runs are of townships: not a leader's
        args=lambda w, s: {"pk": w.sides[s].run.pk},
    ),
    # --- patrols (issue 16): a track is personal data, seen by its leader and their center chain
    E("patrols:walk", M(LOGIN, FORBID, FORBID, OK, FORBID, FORBID)),
    E("patrols:coverage", M(LOGIN, SEEN, SEEN, FORBID, FORBID, SEEN), query=_area),
    E("patrols:coverage-csv", M(LOGIN, SEEN, SEEN, FORBID, FORBID, SEEN), query=_area),
    E(
        "patrols:grid",
        M(LOGIN, SEEN, SEEN, SEEN, FORBID, FORBID),
        args=lambda w, s: {"code": w.sides[s].grid.code},
    ),
    E("api-patrol-start", M(UNAUTH, FORBID, FORBID, CREATED, FORBID, FORBID), "post", json=True),
    E("api-patrol-track", M(UNAUTH, SEEN, SEEN, SEEN, NF, NF), args=_patrol),
    # Only the patrol's own leader records it; the empty body is then refused (no batch uid).
    E("api-patrol-points", M(UNAUTH, NF, NF, (BAD, NF), NF, NF), "post", args=_patrol, json=True),
    E("api-patrol-end", M(UNAUTH, NF, NF, (OK, NF), NF, NF), "post", args=_patrol, json=True),
    E(
        "api-patrol-points-by-uid",
        M(UNAUTH, NF, NF, (BAD, NF), NF, NF),
        "post",
        args=_patrol_uid,
        json=True,
    ),
    E(
        "api-patrol-end-by-uid",
        M(UNAUTH, NF, NF, (OK, NF), NF, NF),
        "post",
        args=_patrol_uid,
        json=True,
    ),
)

# The Django admin as one family: every one of its URL patterns requires a staff account, which
# none of the roles is given; each answers a redirect to the admin's login page (login itself and
# the admin's i18n catalogue aside). Probed for every pattern with placeholder arguments.
ADMIN_OPEN = {"admin:login": ALL, "admin:logout": M(*[FOUND] * 6), "admin:jsi18n": M(*[FOUND] * 6)}
ADMIN_DEFAULT = M(*[FOUND] * 6)
