from django.urls import path

from cistern.metering import views

app_name = "metering"
urlpatterns = [
    path("reads/import/", views.read_import, name="read_import"),
    path("routes/", views.routes, name="routes"),
    path("routes/<str:code>/", views.route_audit, name="route_audit"),
    path("routes/<str:code>/sheet.csv", views.route_sheet, name="route_sheet"),
    path("reads/<int:read_id>/<str:outcome>/", views.read_review, name="read_review"),
]
