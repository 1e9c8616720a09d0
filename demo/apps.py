from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Data to try and to measure the whole service with: the demo workshop (`seed_demo`) and a
    department-sized data set for `make bench` (`bench_data`). It sits above every other app,
    since it fills them all, and nothing imports it."""

    name = "demo"
    verbose_name = "Demo and benchmark data"
