"""Signing in and out, the second factor and passwords, under /account/ (names unprefixed)."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts import forms, sign_in, views
from feedback_site import idle_timeout

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=forms.SignInForm,
            redirect_authenticated_user=True,
            extra_context={"page_title": _("Sign in")},
        ),
        name="login",
    ),
    path("sign-in/email/", sign_in.email_sign_in, name="email_sign_in"),
    path("sign-in/email/sent/", sign_in.email_sign_in_sent, name="email_sign_in_sent"),
    path("sign-in/email/link/", sign_in.email_sign_in_link, name="email_sign_in_link"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("signed-in/", views.signed_in, name="signed_in"),
    path("session/extend/", idle_timeout.session_extend, name="session_extend"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            form_class=forms.ChangePasswordForm,
            extra_context={"page_title": _("Change your password")},
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            extra_context={"page_title": _("Your password has been changed")}
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.ResetPasswordView.as_view(
            form_class=forms.ResetPasswordForm,
            extra_context={"page_title": _("Reset your password")},
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            extra_context={"page_title": _("Check your email")}
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=forms.NewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            extra_context={"page_title": _("Your password has been reset")}
        ),
        name="password_reset_complete",
    ),
]
