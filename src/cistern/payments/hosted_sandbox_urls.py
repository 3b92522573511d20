"""URLs of the sandbox card processor's own pages (its hosted card page). Not staff pages:
the customer's browser comes here from the web payment site; see views/sandbox_page.py."""

from django.urls import path

from cistern.payments.views import sandbox_page

app_name = "sandbox_processor"

urlpatterns = [path("pay/<str:token>/", sandbox_page.pay, name="pay")]
