"""URLs of the record books, mounted at /records/."""

from django.urls import path

from kitei.records import views

app_name = "records"

urlpatterns = [
    path("", views.book_list, name="books"),
    path("overdue/", views.overdue, name="overdue"),
    path("returns/", views.returns, name="returns"),
    path("entries/<int:pk>/return/", views.entry_return, name="return"),
    path("entries/<int:pk>/disposal/", views.entry_disposal, name="disposal"),
    path("entries/<int:pk>/confirm/", views.entry_confirm, name="confirm"),
    path("entries/<int:pk>/leave/", views.entry_leave, name="leave"),
    path("entries/<int:pk>/report/", views.entry_report, name="report"),
    path("entries/<int:pk>/review/", views.entry_review, name="review"),
    path("entries/<int:pk>/evidence/", views.entry_evidence, name="evidence"),
    path("<str:book>/", views.book_detail, name="book"),
    path("<str:book>/add/", views.entry_add, name="add"),
    path("<str:book>/export.xlsx", views.book_export, name="export"),
]
