"""The route audit and read import screens, as a CSR II and as an Auditor uses them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cistern.metering.models import MeterRead, ReadImport
from cistern.metering.services import read_file_import
from cistern.staff.roles import Role

HEADER = b"meter_serial,read_at,reading\n"
SPIKE = HEADER + b"".join(
    b"M100,2026-%02d-01T08:00,%d\n" % (m, v)
    for m, v in enumerate([1000, 1010, 1020, 1030, 1100], 1)
)


def upload(client, data, layout="canonical"):
    file = SimpleUploadedFile("reads.csv", data, content_type="text/csv")
    return client.post(reverse("metering:read_import"), {"layout": layout, "file": file})


def test_a_csr_ii_imports_a_file_and_sees_the_held_read_on_its_route(installed_meter, client_for):
    client = client_for(Role.CSR_II)
    response = upload(client, SPIKE)
    assert response.status_code == 302
    routes = client.get(reverse("metering:routes"))
    assert b"R01" in routes.content
    audit = client.get(reverse("metering:route_audit", args=["R01"]))
    assert b"High use compared with this account" in audit.content
    assert b"Release" in audit.content


def test_a_refused_file_lists_every_bad_line_and_imports_nothing(installed_meter, client_for):
    response = upload(
        client_for(Role.CSR_II), HEADER + b"M100,not-a-date,5\nNOPE,2026-01-01T08:00,x\n"
    )
    assert response.status_code == 422
    assert b"File refused" in response.content
    assert b"not a date and time" in response.content
    assert b"not a whole register value" in response.content
    assert ReadImport.objects.count() == 0


def test_releasing_through_htmx_removes_the_read_from_the_held_list(
    installed_meter, client_for, user_for
):
    read_file_import(data=SPIKE, filename="f.csv", layout="canonical", actor=user_for(Role.CSR_II))
    held = MeterRead.objects.get(review=MeterRead.Review.HELD)
    url = reverse("metering:read_review", args=[held.pk, "release"])
    response = client_for(Role.CSR_II).post(
        url, {"reason": "Confirmed leak"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content == b""
    held.refresh_from_db()
    assert held.review == MeterRead.Review.RELEASED


def test_a_release_without_a_reason_shows_the_error_and_changes_nothing(
    installed_meter, client_for, user_for
):
    read_file_import(data=SPIKE, filename="f.csv", layout="canonical", actor=user_for(Role.CSR_II))
    held = MeterRead.objects.get(review=MeterRead.Review.HELD)
    url = reverse("metering:read_review", args=[held.pk, "release"])
    response = client_for(Role.CSR_II).post(url, {"reason": ""})
    assert response.status_code == 422
    held.refresh_from_db()
    assert held.review == MeterRead.Review.HELD


def test_an_auditor_sees_the_route_audit_without_any_action(installed_meter, client_for, user_for):
    read_file_import(data=SPIKE, filename="f.csv", layout="canonical", actor=user_for(Role.CSR_II))
    auditor = client_for(Role.AUDITOR)
    page = auditor.get(reverse("metering:route_audit", args=["R01"]))
    assert page.status_code == 200
    assert b"High use" in page.content
    assert b'<form method="post" action="/metering' not in page.content
    held = MeterRead.objects.get(review=MeterRead.Review.HELD)
    url = reverse("metering:read_review", args=[held.pk, "release"])
    assert auditor.post(url, {"reason": "x"}).status_code == 403


def test_the_handheld_route_file_lists_the_routes_meters_in_sequence(installed_meter, client_for):
    response = client_for(Role.CSR_II).get(reverse("metering:route_sheet", args=["R01"]))
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("route,sequence,meter_serial")
    assert lines[1].startswith("R01,1,M100,123 Oak Ave,6,0")
