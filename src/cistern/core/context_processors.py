from django.http import HttpRequest

from cistern.core.selectors import district_settings_get


def district(request: HttpRequest) -> dict[str, object]:
    return {"district": district_settings_get()}
