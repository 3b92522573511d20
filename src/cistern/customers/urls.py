from django.urls import path

from cistern.customers.views import account, contact_details, edits, premise, workspace

app_name = "customers"
acct = "accounts/<str:number>/"
urlpatterns = [
    path("", workspace.workspace, name="workspace"),
    path("search/", workspace.search, name="search"),
    path("search/export.csv", workspace.search_export, name="search_export"),
    path("search/typeahead/", workspace.search_typeahead, name="search_typeahead"),
    path(acct, account.account, name="account"),
    path(acct + "ledger/", account.account_ledger, name="account_ledger"),
    path(acct + "contacts/", account.account_contacts, name="account_contacts"),
    path(acct + "history/", account.account_history, name="account_history"),
    path(acct + "contacts/new/", account.contact_log_new, name="contact_log_new"),
    path(acct + "mailing-address/", edits.mailing_address_update, name="mailing_address_update"),
    path(acct + "bill-to/add/", edits.bill_to_add, name="bill_to_add"),
    path(acct + "premise/", premise.premise_rating_edit, name="premise_rating_edit"),
    path(acct + "bill-to/<int:bill_to_id>/remove/", edits.bill_to_remove, name="bill_to_remove"),
    path(acct + "contact-details/", contact_details.contact_details, name="contact_details"),
    path(acct + "phones/add/", contact_details.phone_add, name="phone_add"),
    path(acct + "phones/<int:phone_id>/", contact_details.phone_update, name="phone_update"),
    path(acct + "phones/<int:phone_id>/remove/", contact_details.phone_remove, name="phone_remove"),
    path(acct + "emails/add/", contact_details.email_add, name="email_add"),
    path(acct + "emails/<int:email_id>/", contact_details.email_update, name="email_update"),
    path(acct + "emails/<int:email_id>/remove/", contact_details.email_remove, name="email_remove"),
]
