from django.urls import path

from cistern.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("search/", views.search, name="search"),
    path("search/typeahead/", views.search_typeahead, name="search_typeahead"),
]
