"""Public results pages (inside the language prefixes)."""

from django.urls import path

from analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.results_page, name="results"),
    path("<slug:slug>/", views.results_page, name="wave_results"),
]
