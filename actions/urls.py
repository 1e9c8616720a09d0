from django.urls import path

from actions import views

app_name = "progress"

urlpatterns = [
    path("workshops/<slug:slug>/progress/", views.progress, name="workshop_progress"),
]
