from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.WorkshopListView.as_view(), name="workshop_list"),
    path("workshops/<slug:slug>/", views.WorkshopDetailView.as_view(), name="workshop_detail"),
    path("workshops/<slug:slug>/run-sheet/", views.workshop_run_sheet, name="workshop_run_sheet"),
    path("flipcharts/", views.GroupListView.as_view(), name="group_list"),
    path("flipcharts/<int:pk>/", views.group_capture, name="group_capture"),
    path("flipcharts/<int:pk>/start-round/", views.group_round_start, name="group_round_start"),
    path("flipcharts/<int:pk>/photos/", views.group_photo_add, name="group_photo_add"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
    path("notes/<int:pk>/edit/", views.contribution_edit, name="contribution_edit"),
    path("notes/<int:pk>/remove/", views.contribution_remove, name="contribution_remove"),
    path("notes/<int:pk>/kind/", views.contribution_kind_fix, name="contribution_kind_fix"),
]
