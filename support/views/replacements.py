"""Placeholder views: each is replaced by its feature."""

from django.http import Http404


def rma_request(request, **kwargs):
    raise Http404


def rma_detail(request, **kwargs):
    raise Http404


def rma_return(request, **kwargs):
    raise Http404


def onsite_request(request, **kwargs):
    raise Http404
