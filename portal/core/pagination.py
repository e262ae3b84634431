"""One way to paginate list pages (every list page paginates)."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page; an out-of-range or malformed number gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def list_context(request, rows) -> dict:
    """What a filtered, paginated list page shows: the page, the query string that keeps the
    filters across pages, and whether any filter is on."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": paginate(request, rows),
        "querystring": query.urlencode(),
        "is_filtered": bool(query),
    }
