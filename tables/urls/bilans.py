"""Process indicators, self-assessments and bilans."""

from django.urls import path

from ..views import bilans

urlpatterns = [
    path("tables/<slug:slug>/indicators/", bilans.indicators, name="indicators"),
    path("tables/<slug:slug>/self-assessments/", bilans.assessment_list, name="assessment-list"),
    path(
        "tables/<slug:slug>/self-assessments/<id:pk>/",
        bilans.assessment_answer_view,
        name="assessment-answer",
    ),
    path("tables/<slug:slug>/bilans/", bilans.bilan_list, name="bilan-list"),
    path("tables/<slug:slug>/bilans/new/", bilans.bilan_form, name="bilan-create"),
    path("tables/<slug:slug>/bilans/<id:pk>/", bilans.bilan_detail, name="bilan-detail"),
    path("tables/<slug:slug>/bilans/<id:pk>/edit/", bilans.bilan_form, name="bilan-update"),
]
