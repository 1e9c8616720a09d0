from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """The public audience: the progress page, its cache, exports, the feed and following."""

    name = "progress"
    verbose_name = "Public progress"

    def ready(self):
        from progress import cache  # noqa: F401 (connects its receivers)
