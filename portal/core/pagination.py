"""One way to paginate list pages (every list page paginates)."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


class IdPaginator(Paginator):
    """Sorts and slices the ids only, then reads the page's rows by id (one query: the ids
    are a subquery): the sort then handles two narrow columns from an index instead of every
    column of every matching row, which a deep page of 100,000 joined rows otherwise pays
    for (the ticket lists, issue #9's benchmark: a queue's last page 1.4 s → 0.17 s)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def paginate(request, queryset, *, per_page: int = PAGE_SIZE, by_ids: bool = False) -> Page:
    """The requested page; an out-of-range or malformed number gives the nearest valid page.
    `by_ids` pages a large ordered queryset through its ids (IdPaginator)."""
    paginator_class = IdPaginator if by_ids else Paginator
    return paginator_class(queryset, per_page).get_page(request.GET.get("page"))


def list_context(request, rows, *, by_ids: bool = False) -> dict:
    """What a filtered, paginated list page shows: the page, the query string that keeps the
    filters across pages, and whether any filter is on."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": paginate(request, rows, by_ids=by_ids),
        "querystring": query.urlencode(),
        "is_filtered": bool(query),
    }
