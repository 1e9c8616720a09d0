from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Who you are and what you may do: roles, signing in, the second factor, throttling."""

    name = "accounts"
    verbose_name = "Accounts"
