from django.urls import path

from cistern.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.home, name="home"),
    path("chart/", views.chart, name="chart"),
    path("chart.csv", views.chart_csv, name="chart_csv"),
    path("chart/new/", views.account_create, name="account_create"),
    path("chart/<int:ledger_account_id>/", views.account_edit, name="account_edit"),
    path("periods/", views.periods, name="periods"),
    path("periods/<str:month>/close/", views.period_close, name="period_close"),
    path("trial-balance/", views.trial_balance_view, name="trial_balance"),
    path("trial-balance.csv", views.trial_balance_csv, name="trial_balance_csv"),
    path("entries/<int:entry_id>/", views.entry_detail, name="entry_detail"),
]
