"""Reads shaped for the route audit and read screens."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cistern.metering.models import MeterRead, ReadImport, Route


@dataclass(frozen=True)
class RouteSummary:
    route: Route
    premises: int
    held: int


def route_audit_summary() -> list[RouteSummary]:
    """Every route with its premise count and how many reads wait for review, most first."""
    held = dict(
        MeterRead.objects.filter(review=MeterRead.Review.HELD)
        .values_list("installation__premise__route_id")
        .annotate(n=Count("id"))
        .values_list("installation__premise__route_id", "n")
    )
    routes = Route.objects.select_related("cycle").annotate(premise_count=Count("premises"))
    rows = [RouteSummary(r, r.premise_count, held.get(r.id, 0)) for r in routes]
    return sorted(rows, key=lambda row: (-row.held, row.route.code))


def route_held_reads(*, route: Route) -> QuerySet[MeterRead]:
    return (
        MeterRead.objects.filter(review=MeterRead.Review.HELD, installation__premise__route=route)
        .select_related("installation__meter", "installation__premise")
        .order_by("installation__premise__read_sequence", "read_at")
    )


def route_reviewed_reads(*, route: Route, limit: int = 50) -> QuerySet[MeterRead]:
    """Recently reviewed reads on the route (released, corrected, sent for reread)."""
    reviewed = Q(
        review__in=[MeterRead.Review.RELEASED, MeterRead.Review.CORRECTED, MeterRead.Review.REREAD]
    )
    return (
        MeterRead.objects.filter(reviewed, installation__premise__route=route)
        .select_related("installation__meter", "installation__premise", "reviewed_by")
        .order_by("-reviewed_at")[:limit]
    )


def route_sheet_rows(*, route: Route) -> list[list[object]]:
    """The handheld file's rows: each open installation on the route in read sequence."""
    rows: list[list[object]] = []
    premises = route.premises.order_by("read_sequence").prefetch_related("installations__meter")
    for premise in premises:
        for installation in premise.installations.all():
            if installation.removed_on is not None:
                continue
            last = (
                MeterRead.objects.filter(
                    installation=installation,
                    review__in=[MeterRead.Review.ACCEPTED, MeterRead.Review.RELEASED],
                )
                .order_by("-read_at")
                .first()
            )
            previous = last.raw_value if last else installation.install_read
            meter = installation.meter
            rows.append(
                [route.code, premise.read_sequence, meter.serial, premise.address_line,
                 meter.dials, previous, previous, "", "", "", ""]
            )  # fmt: skip
    return rows


def recent_imports(limit: int = 20) -> QuerySet[ReadImport]:
    return ReadImport.objects.select_related("imported_by").defer("raw")[:limit]
