from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("themes/", views.recurring_themes, name="recurring_themes"),
    path("themes/<slug:slug>/", views.recurring_theme, name="recurring_theme"),
    path("workshops/<slug:slug>/progress/", views.progress, name="workshop_progress"),
    path("workshops/<slug:slug>/progress/search/", views.search, name="workshop_search"),
    path(
        "workshops/<slug:slug>/progress/areas/<slug:area>/",
        views.area_notes_list,
        name="area_notes",
    ),
    path("workshops/<slug:slug>/progress.json", views.progress_json, name="workshop_progress_json"),
    path("workshops/<slug:slug>/progress.xlsx", views.workbook, name="workshop_xlsx"),
    path("workshops/<slug:slug>/report/", views.report, name="report"),
    path("workshops/<slug:slug>/report/edit/", views.report_edit, name="report_edit"),
    path("workshops/<slug:slug>/report/preview/", views.report_preview, name="report_preview"),
    path("w/<str:code>/", views.short_link, name="short_link"),
    path("workshops/<slug:slug>/qr.svg", views.qr_code, name="workshop_qr"),
    path("workshops/<slug:slug>/follow/", views.follow, name="follow"),
    path("workshops/<slug:slug>/follow/check-your-email/", views.follow_sent, name="follow_sent"),
    path(
        "workshops/<slug:slug>/follow/confirm/<str:token>/",
        views.follow_confirm,
        name="follow_confirm",
    ),
    path(
        "workshops/<slug:slug>/follow/unsubscribe/<str:token>/",
        views.follow_unsubscribe,
        name="follow_unsubscribe",
    ),
    path("workshops/<slug:slug>/ask/", views.ask, name="ask"),
    path("workshops/<slug:slug>/ask/sent/", views.ask_sent, name="ask_sent"),
    path(
        "workshops/<slug:slug>/ask/confirm/<str:token>/",
        views.asker_confirm_view,
        name="asker_confirm",
    ),
    path(
        "workshops/<slug:slug>/ask/delete-email/<str:token>/",
        views.asker_forget_view,
        name="asker_forget",
    ),
    *(
        path(
            f"workshops/<slug:slug>/{table}.{file_format}",
            views.export,
            {"table": table, "file_format": file_format},
            name=f"{table}_{file_format}",
        )
        for table in ("contributions", "actions")
        for file_format in ("csv", "xlsx")
    ),
]
