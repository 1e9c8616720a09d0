from django.apps import AppConfig


class FeedbackSiteConfig(AppConfig):
    """The project's own cross-cutting pieces: outages, idle sessions, kept typing."""

    name = "feedback_site"
    verbose_name = "Workshop feedback site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from feedback_site.idle_timeout import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="start_session_clock")
