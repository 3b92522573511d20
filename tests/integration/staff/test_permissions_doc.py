"""The committed roles page is exactly what the permission table generates."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def test_the_roles_page_matches_the_permission_table() -> None:
    out = StringIO()
    call_command("permissions_doc", stdout=out)
    committed = (Path(settings.BASE_DIR) / "docs" / "user-guide" / "roles.md").read_text()
    assert committed == out.getvalue(), (
        "docs/user-guide/roles.md is out of date: run "
        "`python manage.py permissions_doc > docs/user-guide/roles.md`"
    )
