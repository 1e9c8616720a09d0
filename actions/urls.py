from django.urls import path

from actions import views

app_name = "progress"

urlpatterns = [
    path("workshops/<slug:slug>/progress/", views.progress, name="workshop_progress"),
    path("workshops/<slug:slug>/progress.json", views.progress_json, name="workshop_progress_json"),
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
