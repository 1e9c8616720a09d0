from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/accept/", views.action_accept_view, name="action_accept"),
    path("<int:pk>/cascade/", views.action_cascade_view, name="action_cascade"),
    path("packs/<slug:organisation>/", views.organisation_pack, name="organisation_pack"),
    path(
        "packs/<slug:organisation>/pdf/", views.organisation_pack_pdf, name="organisation_pack_pdf"
    ),
    path(
        "packs/<slug:organisation>/xlsx/",
        views.organisation_pack_xlsx,
        name="organisation_pack_xlsx",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/answer/",
        views.question_answer_view,
        name="question_answer",
    ),
    path(
        "<int:pk>/due-date/<int:change_pk>/",
        views.due_date_decide_view,
        name="duedatechange_decide",
    ),
]
