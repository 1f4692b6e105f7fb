from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.ImportIndexView.as_view(), name="index"),
    path("jobs/<int:pk>/", views.ImportJobView.as_view(), name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="progress"),
    path("jobs/<int:pk>/report/", views.job_report, name="report"),
    path("surveys/<int:pk>/template/", views.survey_template, name="template"),
    path("export/", views.ExportView.as_view(), name="export"),
]
