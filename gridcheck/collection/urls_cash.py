"""Collection pages: cash — receipt and invoice stock, deposits and remittance, the daily cash report,
reconciliation and the rural electricians' collections."""

from django.urls import path

from gridcheck.collection.views import cash as views

urlpatterns: list = [
    path("stock/", views.StockListView.as_view(), name="stock_list"),
    path("stock/issue/", views.StockIssueView.as_view(), name="stock_issue"),
    path("stock/<int:pk>/", views.StockDetailView.as_view(), name="stock_detail"),
    path("stock/<int:pk>/cancel/", views.StockCancelView.as_view(), name="stock_cancel"),
    path("stock/<int:pk>/return/", views.StockReturnView.as_view(), name="stock_return"),
    path("stock/<int:pk>/destroy/", views.StockDestroyRequestView.as_view(), name="stock_destroy_request"),
    path(
        "stock/<int:pk>/destroy/approve/",
        views.StockDestroyApproveView.as_view(),
        name="stock_destroy_approve",
    ),
    path(
        "cancellations/<int:pk>/check/",
        views.CancellationCheckView.as_view(),
        name="cancellation_check",
    ),
    path("deposits/", views.DepositListView.as_view(), name="deposit_list"),
    path("deposits/new/", views.DepositCreateView.as_view(), name="deposit_create"),
    path("deposits/remit/", views.DepositRemitView.as_view(), name="deposit_remit"),
    path("cash/daily/", views.DailyCashView.as_view(), name="daily_cash"),
    path("cash/daily/xlsx/", views.DailyCashXlsxView.as_view(), name="daily_cash_xlsx"),
    path("cash/reconciliation/", views.ReconciliationView.as_view(), name="reconciliation"),
    path("cash/reconciliation/xlsx/", views.ReconciliationXlsxView.as_view(), name="reconciliation_xlsx"),
    path("cash/rural/", views.RuralCollectionsView.as_view(), name="rural_collections"),
    path("cash/rural/xlsx/", views.RuralCollectionsXlsxView.as_view(), name="rural_collections_xlsx"),
]
