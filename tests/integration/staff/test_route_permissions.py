"""Every URL declares its permission, and every role gets exactly what the table allows.

The routes are read from ``config.urls`` when the tests are collected, so a route added
anywhere is walked without touching this file -- unless it takes parameters this file does
not know how to fill: then ``test_every_route_can_be_filled_with_sample_values`` fails and
says which sample to add (``PARAM_SAMPLES`` by parameter name, or ``ROUTE_SAMPLES`` by route
name when a parameter name means different things on different routes). The JSON API (``api/``)
uses API keys, not staff roles: it is checked only to refuse callers without a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cistern.core.models import CalendarDay, DistrictSettings
from cistern.staff.permissions import PERMISSIONS
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import route_samples as billing_samples
from tests.integration.payments import makers as pay

# Routes anyone may reach without signing in: how a person gets a session at all.
PUBLIC_ROUTES = {"staff:login", "staff:logout"}
# The sandbox card processor's hosted page stands in for the processor's own site: customers.
PUBLIC_PREFIXES = ("static/", "media/", "sandbox-processor/")
# The JSON API authenticates machines with API keys, not staff sessions and roles, so it is
# outside the staff walk. It still may not answer an anonymous caller, except its schema.
API_PREFIX = "api/"
API_PUBLIC = {"api:openapi-json", "api:openapi-view"}

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@dataclass
class World:
    """Real objects the sample values point at (an account with phone, e-mail and meter)."""

    account: Any
    staff: Any
    closed_day: date


def _bill_to(w: World) -> int:
    from cistern.customers.models import SecondaryBillTo

    return SecondaryBillTo.objects.create(
        account=w.account,
        name="Lee Landlord",
        line1="1 Main St",
        city="Davis",
        state="CA",
        postal_code="95616",
        added_on=date(2026, 1, 5),
    ).pk


def _ledger_account(w: World) -> int:
    from cistern.ledger.models import LedgerAccount

    return LedgerAccount.objects.order_by("pk").values_list("pk", flat=True).first()


def _journal_entry(w: World) -> int:
    from cistern.ledger import codes
    from cistern.ledger.services import Leg, journal_entry_post

    return journal_entry_post(
        idempotency_key="route-walk:1",
        effective_date=date(2026, 1, 5),
        source="bill",
        legs=[Leg(codes.AR_WATER, 4200, w.account.pk, "water"), Leg(codes.REV_WATER, -4200)],
        actor=staff_user(Role.FINANCE),
    ).pk


def _meter_route(w: World) -> str:
    from cistern.billing.models import BillingCycle
    from cistern.metering.models import Route as MeterRoute

    cycle, _ = BillingCycle.objects.get_or_create(
        code="C1", defaults={"name": "Cycle 1", "frequency": "monthly"}
    )
    return MeterRoute.objects.get_or_create(
        code="R1", defaults={"name": "Route 1", "cycle": cycle}
    )[0].code


# Parameter name -> value, for names that mean the same thing on every route. A callable may
# create the object it points at; it runs once per test that needs it.
PARAM_SAMPLES: dict[str, Callable[[World], Any]] = {
    "number": lambda w: w.account.number,
    "account_number": lambda w: w.account.number,
    "account_id": lambda w: w.account.pk,
    "customer_id": lambda w: w.account.customer_id,
    "premise_id": lambda w: w.account.premise_id,
    "user_id": lambda w: w.staff.pk,
    "day": lambda w: w.closed_day.isoformat(),
    "phone_id": lambda w: w.account.customer.phones.values_list("pk", flat=True).first(),
    "email_id": lambda w: w.account.customer.emails.values_list("pk", flat=True).first(),
    "bill_to_id": _bill_to,
    "ledger_account_id": _ledger_account,
    "entry_id": _journal_entry,
    "month": lambda w: "2026-01",
    "code": _meter_route,
    "receipt_id": lambda w: pay.sample_check_payment(w.account).receipt_id,
    "payment_id": lambda w: pay.sample_check_payment(w.account).pk,
    "drawer_id": lambda w: pay.sample_drawer().pk,
    "batch_id": lambda w: pay.sample_batch_item(w.account)[0].pk,
    "return_id": lambda w: pay.sample_return(w.account).pk,
    "report": lambda w: "drawers",
    **billing_samples.PARAM_SAMPLES,
}


def _pay_batch_item(w: World) -> dict[str, Any]:
    batch, item = pay.sample_batch_item(w.account)
    return {"batch_id": batch.pk, "payment_id": item.pk}


# Route name -> kwargs, for routes whose parameters PARAM_SAMPLES cannot fill.
ROUTE_SAMPLES: dict[str, Callable[[World], dict[str, Any]]] = {
    # POST-only: a GET is answered before the read is looked up.
    "metering:read_review": lambda w: {"read_id": 1, "outcome": "release"},
    "payments:batch_item_remove": lambda w: _pay_batch_item(w),
    # API: refused without a key before the session is looked up.
    "api:hosted_payment_get": lambda w: {"session_id": "sbx_cs_route_walk"},
}


@dataclass(frozen=True)
class Route:
    name: str | None
    pattern: str
    params: tuple[str, ...]
    callback: Any

    @property
    def public(self) -> bool:
        return self.name in PUBLIC_ROUTES or self.pattern.startswith(PUBLIC_PREFIXES)

    @property
    def api(self) -> bool:
        return self.pattern.startswith(API_PREFIX)

    @property
    def action(self) -> Any:
        found = getattr(self.callback, "required_action", None)
        view_class = getattr(self.callback, "view_class", None)
        return found or getattr(view_class, "required_action", None)


def _walk(
    patterns: list[Any], prefix: str, namespace: str | None, params: tuple[str, ...]
) -> Iterator[Route]:
    for entry in patterns:
        names = params + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns, names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name, prefix + str(entry.pattern), names, entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", None, ()))


ROUTES = all_routes()
PROTECTED = [r for r in ROUTES if not r.public and not r.api]
API_ROUTES = [r for r in ROUTES if r.api and r.name not in API_PUBLIC]


def _sample_kwargs(route: Route, world: World) -> dict[str, Any]:
    if route.name in ROUTE_SAMPLES:
        return ROUTE_SAMPLES[route.name](world)
    missing = [p for p in route.params if p not in PARAM_SAMPLES]
    if missing:
        raise LookupError(
            f"Route {route.name!r} ({route.pattern}) takes {missing}, which this test cannot "
            f"fill. Add a sample to PARAM_SAMPLES (by parameter name) or ROUTE_SAMPLES (by "
            f"route name) in tests/integration/staff/test_route_permissions.py, pointing at a "
            f"real object in World."
        )
    return {p: PARAM_SAMPLES[p](world) for p in route.params}


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Any) -> World:
    from tests.factories.customers import customer_account

    settings.MEDIA_ROOT = tmp_path
    account = customer_account(phone="5305550100", email="pat@example.org", meter_serial="RW1")
    closed, _ = CalendarDay.objects.get_or_create(
        date=date(2026, 8, 14), defaults={"kind": CalendarDay.Kind.CLOSURE, "name": "Route walk"}
    )
    row, _ = DistrictSettings.objects.get_or_create(pk=1)
    row.logo.save("logo.png", ContentFile(PNG_1x1))
    return World(account=account, staff=staff_user(Role.CSR_I), closed_day=closed.date)


def test_the_url_walk_finds_the_known_routes() -> None:
    names = {r.name for r in ROUTES}
    assert {"staff:login", "core:audit", "core:calendar", "customers:workspace"} <= names


def test_every_route_declares_the_action_it_needs() -> None:
    """A route without @action_required (and not in the small public list) fails here."""
    undeclared = [f"{r.name or '(unnamed)'} -> /{r.pattern}" for r in PROTECTED if r.action is None]
    assert not undeclared, (
        "These routes have no @action_required(Action.X) from cistern.staff.permissions; "
        f"every page needs one: {undeclared}"
    )


def test_every_route_has_a_name() -> None:
    unnamed = [f"/{r.pattern}" for r in ROUTES if not r.name]
    assert not unnamed, f"Give these routes a name= so they can be walked: {unnamed}"


def test_every_route_can_be_filled_with_sample_values(world: World) -> None:
    problems = []
    for route in PROTECTED:
        try:
            reverse(route.name, kwargs=_sample_kwargs(route, world))
        except Exception as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def _expect_allowed(response: Any) -> bool:
    # 405: a POST-only route answered GET after the permission check passed.
    return response.status_code < 400 or response.status_code == 405


@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: r.name or r.pattern)
def test_each_role_gets_what_the_permission_table_allows(route: Route, world: World) -> None:
    if route.action is None:
        pytest.fail(f"{route.name} has no @action_required (see the test above)")
    url = reverse(route.name, kwargs=_sample_kwargs(route, world))
    wrong = []
    for role in Role:
        client = Client(raise_request_exception=False)
        client.force_login(staff_user(role))
        response = client.get(url)
        allowed = role in PERMISSIONS[route.action]
        if allowed and not _expect_allowed(response):
            wrong.append(f"{role.label}: allowed by the table but got {response.status_code}")
        if not allowed and response.status_code != 403:
            wrong.append(f"{role.label}: not allowed by the table but got {response.status_code}")
    assert not wrong, f"GET {url} ({route.action.value}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: r.name or r.pattern)
def test_anonymous_visitors_are_sent_to_sign_in(route: Route, world: World) -> None:
    url = reverse(route.name, kwargs=_sample_kwargs(route, world))
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 302, f"GET {url} anonymous -> {response.status_code}"
    assert response["Location"].startswith(reverse("staff:login")), response["Location"]


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.name or r.pattern)
def test_api_routes_refuse_callers_without_a_key(route: Route, world: World) -> None:
    url = reverse(route.name, kwargs=_sample_kwargs(route, world))
    for client in (Client(raise_request_exception=False), _staff_client(Role.ADMIN)):
        response = client.get(url)
        assert response.status_code in (401, 403, 404, 405), f"GET {url} -> {response.status_code}"


def _staff_client(role: Role) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(staff_user(role))
    return client


def test_an_inactive_user_is_refused_everywhere(world: World) -> None:
    user = staff_user(Role.ADMIN)
    client = Client()
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("core:district_settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
