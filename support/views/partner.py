"""Placeholder views: each is replaced by its feature."""

from django.http import Http404


def brand_logo(request, **kwargs):
    raise Http404


def partner_coverage(request, **kwargs):
    raise Http404
