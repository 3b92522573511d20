from django.urls import path

from cistern.billing import document_views, views

app_name = "billing"

urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:run_id>/documents/", document_views.run_documents_build, name="run_documents"),
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
    path("bills/<int:bill_id>/pdf/", document_views.bill_pdf, name="bill_pdf"),
    path(
        "runs/<int:run_id>/print-index.csv", document_views.print_index_download, name="print_index"
    ),
    path(
        "runs/<int:run_id>/print-batch.pdf", document_views.print_batch_download, name="print_batch"
    ),
    path("messages/", document_views.message_list, name="messages"),
]
