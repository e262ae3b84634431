"""One way to paginate list pages (every list page paginates)."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page; an out-of-range or malformed number gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
