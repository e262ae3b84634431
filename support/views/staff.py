"""Placeholder views: each is replaced by its feature."""

from django.http import Http404


def queue(request, **kwargs):
    raise Http404


def escalations(request, **kwargs):
    raise Http404


def ticket_status(request, **kwargs):
    raise Http404


def ticket_severity(request, **kwargs):
    raise Http404


def ticket_assign(request, **kwargs):
    raise Http404
