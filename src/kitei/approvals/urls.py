"""URLs of requests (申請) and approvals, mounted at /approvals/."""

from django.urls import path

from kitei.approvals import print_views, views

app_name = "approvals"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("preview/", views.request_preview, name="preview"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox_count"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/print/", print_views.request_print, name="print"),
    path("<int:pk>/approve/", views.request_approve, name="approve"),
    path("<int:pk>/reject/", views.request_reject, name="reject"),
    path("<int:pk>/withdraw/", views.request_withdraw, name="withdraw"),
]
