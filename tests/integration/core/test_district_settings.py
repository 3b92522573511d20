"""District settings: edited by the Administrator through one audited service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cistern.core import services
from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.core.selectors import district_settings_get
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_update_changes_the_fields_and_audits_only_what_changed() -> None:
    admin = staff_user(Role.ADMIN)
    services.district_settings_update(
        actor=admin, name="Mesa Verde Water District", phone="555-0100"
    )
    row = district_settings_get()
    assert (row.name, row.phone) == ("Mesa Verde Water District", "555-0100")
    event = AuditEvent.objects.get(action="district.settings.update")
    assert event.after == {"name": "Mesa Verde Water District", "phone": "555-0100"}
    assert event.before == {"name": "Demo Water District", "phone": ""}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"name": "  "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"website": "ftp://example.org"}, "website"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(fields: dict, field: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.district_settings_update(actor=staff_user(Role.ADMIN), phone="555-0199", **fields)
    assert refused.value.field == field
    assert district_settings_get().phone == ""
    assert not AuditEvent.objects.exists()


def test_a_png_logo_is_stored_and_served_with_its_type(client_for) -> None:
    upload = SimpleUploadedFile("anything.gif", PNG, content_type="image/gif")
    services.district_settings_update(actor=staff_user(Role.ADMIN), logo=upload)
    response = client_for(Role.CSR_I).get(reverse("core:district_logo"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + b"0" * 10, services.LOGO_MESSAGES["wrong_type"]),
        (PNG + b"0" * (1024 * 1024), services.LOGO_MESSAGES["too_large"]),
        (b"<svg onload='x()'></svg>", services.LOGO_MESSAGES["svg_active"]),
    ],
)
def test_a_bad_logo_is_refused_beside_the_field(client_for, content: bytes, message: str) -> None:
    client = client_for(Role.ADMIN)
    response = client.post(
        reverse("core:district_settings"),
        {
            "name": "Renamed",
            "state": "CA",
            "time_zone": "America/Los_Angeles",
            "logo": SimpleUploadedFile("logo.png", content),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert district_settings_get().name == "Demo Water District"


def test_the_settings_page_saves_and_shows_the_new_name(client_for) -> None:
    client = client_for(Role.ADMIN)
    response = client.post(
        reverse("core:district_settings"),
        {
            "name": "Mesa Verde Water District",
            "state": "CA",
            "time_zone": "America/Denver",
            "office_hours": "Mon-Fri 8-5",
        },
    )
    assert response.status_code == 302
    assert district_settings_get().time_zone == "America/Denver"
    assert "Mesa Verde Water District" in client.get(reverse("core:calendar")).content.decode()
