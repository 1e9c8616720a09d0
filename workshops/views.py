from django.db.models import Count, Prefetch, Q
from django.views.generic import DetailView, ListView

from workshops.models import FlipchartGroup, Workshop


class WorkshopListView(ListView):
    """The home page: published workshops, and drafts too for organisers."""

    template_name = "workshops/workshop_list.html"
    context_object_name = "workshops"

    def get_queryset(self):
        return Workshop.objects.visible_to(self.request.user).annotate(group_count=Count("groups"))


class WorkshopDetailView(DetailView):
    template_name = "workshops/workshop_detail.html"
    context_object_name = "workshop"

    def get_queryset(self):
        groups = FlipchartGroup.objects.annotate(
            note_count=Count("contributions", filter=Q(contributions__removed_at__isnull=True))
        )
        return Workshop.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("groups", queryset=groups)
        )
