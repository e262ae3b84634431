"""URLs of the benchmark's django-helpdesk project: helpdesk at its usual /helpdesk/ prefix."""

from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
