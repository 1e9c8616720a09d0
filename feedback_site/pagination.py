"""Long lists come a page at a time, with GOV.UK pagination (`includes/pagination.html`)."""


def pagination(request, page) -> dict:
    """The links of a paged list for the pagination template, keeping the other query
    parameters (the filters)."""
    query = request.GET.copy()

    def href(number):
        query["page"] = number
        return f"?{query.urlencode()}"

    items = [
        {"ellipsis": True}
        if number == page.paginator.ELLIPSIS
        else {"number": number, "href": href(number), "current": number == page.number}
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
    return {
        "previous": href(page.previous_page_number()) if page.has_previous() else None,
        "next": href(page.next_page_number()) if page.has_next() else None,
        "items": items,
    }


class PaginationMixin:
    """For a paginated ListView: a page number out of range or not a number shows the last or
    the first page rather than "not found", and `pagination` is there for the template."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("page_obj") is not None:
            context["pagination"] = pagination(self.request, context["page_obj"])
        return context
