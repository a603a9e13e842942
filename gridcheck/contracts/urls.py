"""Supply contracts's pages, mounted at /contracts/ (the API: ``api.urls``, under /api/contracts/)."""

from django.urls import path
from django.views.generic import RedirectView

from gridcheck.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contracts:contract_list", permanent=False), name="index"),
    path("register/", views.ContractListView.as_view(), name="contract_list"),
    path("expiring/", views.ExpiringListView.as_view(), name="expiring_list"),
    path("missing/", views.MissingContractListView.as_view(), name="missing_list"),
    path("new/", views.ContractDraftView.as_view(), name="contract_draft"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/clauses/", views.ContractEditView.as_view(), name="contract_edit"),
    path("<int:pk>/sign/", views.ContractSignView.as_view(), name="contract_sign"),
    path("<int:pk>/approve-term/", views.ApproveTermView.as_view(), name="contract_approve_term"),
    path("<int:pk>/renew/", views.ContractRenewView.as_view(), name="contract_renew"),
    path("<int:pk>/supersede/", views.ContractSupersedeView.as_view(), name="contract_supersede"),
    path("<int:pk>/terminate/", views.ContractTerminateView.as_view(), name="contract_terminate"),
    path("<int:pk>/agreements/new/", views.AgreementAddView.as_view(), name="agreement_add"),
    path("<int:pk>/loan/", views.LoanView.as_view(), name="loan_out"),
    path("loans/<int:pk>/return/", views.LoanReturnView.as_view(), name="loan_return"),
    path("<int:pk>/scan/upload/", views.ScanUploadView.as_view(), name="scan_upload"),
    path("<int:pk>/scan/", views.ScanDownloadView.as_view(), name="scan_download"),
    path("extensions/<int:pk>/file/", views.ExtensionFileView.as_view(), name="extension_file"),
]
