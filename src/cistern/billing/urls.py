from django.urls import path

from cistern.billing import views

app_name = "billing"

urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:run_id>/<str:step>/", views.run_step, name="run_step"),
    path("bills/<int:bill_id>/", views.bill_detail, name="bill"),
    path("bills/<int:bill_id>/hold/", views.bill_hold_view, name="bill_hold"),
    path("bills/<int:bill_id>/release/", views.bill_release_view, name="bill_release"),
    path("bills/<int:bill_id>/cancel/", views.bill_cancel, name="bill_cancel"),
    path(
        "exceptions/<int:exception_id>/release/",
        views.exception_release_view,
        name="exception_release",
    ),
    path("accounts/<int:account_id>/bills/", views.account_bills, name="account_bills"),
]
