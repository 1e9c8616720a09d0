from django.contrib.admin.apps import AdminConfig


class FeedbackAdminConfig(AdminConfig):
    default_site = "feedback_site.admin_site.FeedbackAdminSite"
