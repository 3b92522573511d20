from django.urls import include, path

from cistern.api.main import api

urlpatterns = [
    path("", include("cistern.customers.urls")),
    path("staff/", include("cistern.staff.urls")),
    path("ledger/", include("cistern.ledger.urls")),
    path("metering/", include("cistern.metering.urls")),
    path("billing/", include("cistern.billing.urls")),
    path("rates/", include("cistern.rates.urls")),
    path("admin-area/", include("cistern.core.urls")),
    path("api/v1/", api.urls),
    path("cashiering/", include("cistern.payments.urls")),
    # The sandbox card processor's hosted page (404 unless the sandbox is the processor).
    path("sandbox-processor/", include("cistern.payments.hosted_sandbox_urls")),
]
