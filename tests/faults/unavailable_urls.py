"""A URLconf for tests/faults/test_unavailable_page.py: the portal's pages, plus a page
whose view loses the database and one behind a middleware that does."""

from django.db import InterfaceError, OperationalError
from django.urls import path

from portal.urls import handler500, urlpatterns


def database_gone(request):
    raise OperationalError('connection to server at "127.0.0.1" failed: Connection refused')


def connection_closed(request):
    raise InterfaceError("connection already closed")


urlpatterns = [
    path("test/database-gone/", database_gone),
    path("test/connection-closed/", connection_closed),
    *urlpatterns,
]
__all__ = ["handler500", "urlpatterns"]
