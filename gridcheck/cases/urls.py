from django.urls import path

from gridcheck.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.CaseCreateView.as_view(), name="case_create"),
    path("labels.csv", views.CaseLabelsView.as_view(), name="labels_csv"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/compute/", views.CaseComputeView.as_view(), name="case_compute"),
    path("<int:pk>/notify/", views.CaseNotifyView.as_view(), name="case_notify"),
    path("<int:pk>/submit/", views.CaseSubmitView.as_view(), name="case_submit"),
    path("<int:pk>/approve/", views.CaseApproveView.as_view(), name="case_approve"),
    path("<int:pk>/payment/", views.CasePaymentView.as_view(), name="case_payment"),
    path("<int:pk>/close/", views.CaseCloseView.as_view(), name="case_close"),
    path("<int:pk>/edit/", views.CaseEditView.as_view(), name="case_edit"),
    path("<int:pk>/cancel/", views.CaseCancelView.as_view(), name="case_cancel"),
    path("<int:pk>/settle/", views.CaseSettleView.as_view(), name="case_settle"),
    path("<int:pk>/write-off/", views.CaseWriteOffView.as_view(), name="case_write_off"),
    path(
        "<int:pk>/write-off/approve/",
        views.CaseWriteOffApproveView.as_view(),
        name="case_write_off_approve",
    ),
    path("<int:pk>/legal/", views.CaseLegalView.as_view(), name="case_legal"),
    path(
        "<int:pk>/police-receipt/",
        views.CaseDocumentView.as_view(field="police_receipt"),
        name="case_police_receipt",
    ),
    path(
        "<int:pk>/settlement-document/",
        views.CaseDocumentView.as_view(field="settlement_document"),
        name="case_settlement_document",
    ),
    path("<int:pk>/notice.pdf", views.CaseNoticePdfView.as_view(), name="case_notice_pdf"),
    path(
        "<int:pk>/payment-notice.pdf",
        views.CasePaymentNoticePdfView.as_view(),
        name="case_payment_notice_pdf",
    ),
]
