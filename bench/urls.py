"""URLs of the API benchmark's server: the project's, plus POST /bench/baseline (bench only)."""

from django.urls import path

from bench.baseline import BaselineView
from loyalty.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/baseline", BaselineView.as_view()),
    *project_urlpatterns,
]
