from django.http import HttpResponse
from django.urls import path

from cistern.staff.permissions import Action, action_required

app_name = "ledger"


@action_required(Action.LEDGER_VIEW)
def home(request):  # placeholder until the ledger screens land
    return HttpResponse("ledger")


urlpatterns = [path("", home, name="home")]
