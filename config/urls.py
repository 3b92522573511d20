from django.urls import include, path

urlpatterns = [
    path("", include("cistern.customers.urls")),
    path("staff/", include("cistern.staff.urls")),
    path("ledger/", include("cistern.ledger.urls")),
    path("metering/", include("cistern.metering.urls")),
    path("admin-area/", include("cistern.core.urls")),
]
