from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class FeedbackSiteConfig(AppConfig):
    """The project's own cross-cutting pieces: outages, idle sessions, kept typing."""

    name = "feedback_site"
    verbose_name = "Workshop feedback site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from feedback_site.idle_timeout import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="start_session_clock")


class FeedbackAdminConfig(admin_apps.AdminConfig):
    default_site = "accounts.admin_site.OrganisersAdminSite"
