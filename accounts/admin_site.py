from accounts.roles import may_use_admin
from feedback_site.admin_site import FeedbackAdminSite


class OrganisersAdminSite(FeedbackAdminSite):
    """The admin is the organisers' tool: "staff status" alone opens nothing."""

    def has_permission(self, request):
        return may_use_admin(request.user)
