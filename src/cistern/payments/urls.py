from django.urls import path

from cistern.payments.views import (
    batches,
    close,
    counter,
    finance,
    lockbox,
    reports,
    returns,
    web_payments,
)

app_name = "payments"

urlpatterns = [
    path("", counter.home, name="home"),
    path("drawer/open/", counter.drawer_open_view, name="drawer_open"),
    path("take/", counter.take, name="take"),
    path("receipts/<int:receipt_id>/", counter.receipt, name="receipt"),
    path("receipts/<int:receipt_id>/email/", counter.receipt_email_view, name="receipt_email"),
    path("receipts/<int:receipt_id>/void/", counter.receipt_void_view, name="receipt_void"),
    path(
        "payments/<int:payment_id>/reverse/", counter.payment_reverse_view, name="payment_reverse"
    ),
    path("drawer/count/", close.drawer_count, name="drawer_count"),
    path("drawers/<int:drawer_id>/", close.drawer_result, name="drawer_result"),
    path("approvals/", close.approvals, name="approvals"),
    path("drawers/<int:drawer_id>/approve/", close.drawer_approve, name="drawer_approve"),
    path("batches/", batches.batches, name="batches"),
    path("batches/<int:batch_id>/", batches.batch, name="batch"),
    path("batches/<int:batch_id>/close/", batches.batch_close_view, name="batch_close"),
    path("batches/<int:batch_id>/reopen/", batches.batch_reopen_view, name="batch_reopen"),
    path("batches/<int:batch_id>/post/", batches.batch_post_view, name="batch_post"),
    path(
        "batches/<int:batch_id>/items/<int:payment_id>/remove/",
        batches.batch_item_remove_view,
        name="batch_item_remove",
    ),
    path("lockbox/", lockbox.lockbox, name="lockbox"),
    path("returns/", returns.returns, name="returns"),
    path("returns/<int:return_id>/", returns.return_detail, name="return_detail"),
    path("web-payments/", web_payments.web_payments, name="web_payments"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<slug:report>/", reports.report, name="report"),
    path("reports/<slug:report>.csv", reports.report_csv, name="report_csv"),
    path("reports/<slug:report>.pdf", finance.report_pdf_view, name="report_pdf"),
    path("finance/gl-export/", finance.gl_export, name="gl_export"),
    path("finance/bank/", finance.bank, name="bank"),
    path("finance/bank/import/", finance.bank_import, name="bank_import"),
    path("finance/bank/result.csv", finance.bank_result_csv, name="bank_result_csv"),
]
