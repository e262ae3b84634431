"""Placeholder views: each is replaced by its feature."""

from django.http import Http404


def tickets(request, **kwargs):
    raise Http404


def ticket_new(request, **kwargs):
    raise Http404


def ticket_create(request, **kwargs):
    raise Http404


def ticket_detail(request, **kwargs):
    raise Http404


def ticket_comment(request, **kwargs):
    raise Http404


def ticket_escalate(request, **kwargs):
    raise Http404


def attachment_download(request, **kwargs):
    raise Http404
