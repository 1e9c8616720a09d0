from django.contrib import admin
from django.urls import include, path

from feedback_site import language, pages, views

handler400 = "feedback_site.views.bad_request"
handler500 = "feedback_site.views.server_error"

urlpatterns = [
    path("", include("workshops.urls")),
    path("actions/", include("actions.urls")),
    path("", include("progress.urls")),
    path("account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("feedback/", pages.feedback, name="feedback"),
    path("language/<str:language>/", language.language_switch, name="language_switch"),
]
