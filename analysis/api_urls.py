"""The read-only JSON API of published results, under /api/v1/."""

from django.urls import path

from analysis import views

app_name = "analysis_api"

urlpatterns = [
    path("openapi.json", views.api_openapi, name="openapi"),
    path("results/", views.api_waves, name="waves"),
    path("results/<slug:slug>/", views.api_wave_results, name="wave_results"),
]
