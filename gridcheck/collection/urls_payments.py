"""Collection pages: accounts and statements, payments and receipts, bank files, reversals, the month close."""

from django.urls import path

from gridcheck.collection.views import payments as views

urlpatterns: list = [
    path("accounts/", views.AccountListView.as_view(), name="account_list"),
    path("accounts/<int:customer_pk>/", views.AccountDetailView.as_view(), name="account_detail"),
    path(
        "accounts/<int:customer_pk>/statement.pdf",
        views.AccountStatementPdfView.as_view(),
        name="account_statement_pdf",
    ),
    path("accounts/<int:customer_pk>/pay/", views.PaymentCreateView.as_view(), name="payment_create"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payment_detail"),
    path("payments/<int:pk>/receipt.pdf", views.PaymentReceiptPdfView.as_view(), name="payment_receipt"),
    path("payments/<int:pk>/reverse/", views.ReversalRequestView.as_view(), name="reversal_request"),
    path("reversals/", views.ReversalListView.as_view(), name="reversal_list"),
    path("reversals/<int:pk>/", views.ReversalDetailView.as_view(), name="reversal_detail"),
    path("reversals/<int:pk>/decide/", views.ReversalDecideView.as_view(), name="reversal_decide"),
    path("bank-files/", views.BankFileListView.as_view(), name="bank_file_list"),
    path("bank-files/upload/", views.BankFileUploadView.as_view(), name="bank_file_upload"),
    path("bank-files/<int:pk>/", views.BankFileDetailView.as_view(), name="bank_file_detail"),
    path("month-close/", views.MonthCloseView.as_view(), name="month_close"),
]
