"""The billing pages: books, cycles, the reader's phone pages, bills, refunds, category changes, anomalies."""

from django.urls import path

from gridcheck.billing import views

urlpatterns = [
    # reading books
    path("books/", views.BookListView.as_view(), name="book_list"),
    path("books/new/", views.BookCreateView.as_view(), name="book_create"),
    path("books/<int:pk>/", views.BookDetailView.as_view(), name="book_detail"),
    path("books/<int:pk>/open-cycle/", views.BookOpenCycleView.as_view(), name="book_open_cycle"),
    path("books/<int:pk>/change/", views.BookChangeRequestView.as_view(), name="book_change_request"),
    path("book-changes/<int:pk>/decide/", views.BookChangeDecideView.as_view(), name="book_change_decide"),
    # reading cycles
    path("cycles/", views.CycleListView.as_view(), name="cycle_list"),
    path("cycles/<int:pk>/", views.CycleDetailView.as_view(), name="cycle_detail"),
    path("cycles/<int:pk>/open-next/", views.CycleOpenNextView.as_view(), name="cycle_open_next"),
    path("cycles/<int:pk>/collect/", views.CycleCollectView.as_view(), name="cycle_collect"),
    path("cycles/<int:pk>/bill/", views.CycleBillView.as_view(), name="cycle_bill"),
    path("cycles/<int:pk>/check/", views.CycleCheckView.as_view(), name="cycle_check"),
    path("cycles/<int:pk>/issue/", views.CycleIssueView.as_view(), name="cycle_issue"),
    # the reader's phone pages
    path("reader/", views.ReaderHomeView.as_view(), name="reader_home"),
    path("reader/cycles/<int:pk>/", views.ReaderCycleView.as_view(), name="reader_cycle"),
    path("reader/cycles/<int:pk>/read/", views.ReadingEntryView.as_view(), name="reading_entry"),
    path("reader/cycles/<int:pk>/anomaly/", views.AnomalyReportView.as_view(), name="anomaly_report"),
    path("readings/<int:pk>/photo/", views.ReadingPhotoView.as_view(), name="reading_photo"),
    # bills
    path("bills/", views.BillListView.as_view(), name="bill_list"),
    path("bills/<int:pk>/", views.BillDetailView.as_view(), name="bill_detail"),
    path("bills/<int:pk>/check/", views.BillCheckView.as_view(), name="bill_check"),
    path("bills/<int:pk>/adjust/", views.AdjustmentCreateView.as_view(), name="adjustment_create"),
    path("customers/<int:pk>/terms/", views.BillingTermsView.as_view(), name="billing_terms"),
    # refunds and back-bills
    path("adjustments/", views.AdjustmentListView.as_view(), name="adjustment_list"),
    path("adjustments/<int:pk>/", views.AdjustmentDetailView.as_view(), name="adjustment_detail"),
    path("adjustments/<int:pk>/decide/", views.AdjustmentDecideView.as_view(), name="adjustment_decide"),
    path(
        "adjustments/<int:pk>/withdraw/", views.AdjustmentWithdrawView.as_view(), name="adjustment_withdraw"
    ),
    # category changes
    path("category-changes/", views.CategoryChangeListView.as_view(), name="category_change_list"),
    path("category-changes/new/", views.CategoryChangeCreateView.as_view(), name="category_change_create"),
    path(
        "category-changes/<int:pk>/", views.CategoryChangeDetailView.as_view(), name="category_change_detail"
    ),
    path(
        "category-changes/<int:pk>/check/",
        views.CategoryChangeCheckView.as_view(),
        name="category_change_check",
    ),
    path(
        "category-changes/<int:pk>/withdraw/",
        views.CategoryChangeWithdrawView.as_view(),
        name="category_change_withdraw",
    ),
    path(
        "category-changes/<int:pk>/decide/",
        views.CategoryChangeDecideView.as_view(),
        name="category_change_decide",
    ),
    # reading anomalies
    path("anomalies/", views.AnomalyListView.as_view(), name="anomaly_list"),
    path("anomalies/<int:pk>/", views.AnomalyDetailView.as_view(), name="anomaly_detail"),
    path("anomalies/<int:pk>/work-order/", views.AnomalyWorkOrderView.as_view(), name="anomaly_work_order"),
    path("anomalies/<int:pk>/resolve/", views.AnomalyResolveView.as_view(), name="anomaly_resolve"),
]
