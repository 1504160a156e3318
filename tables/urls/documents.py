"""Generated documents (PDF)."""

from django.urls import path

from ..views import documents

urlpatterns = [
    path("documents/request/", documents.document_request, name="document-request"),
    path("documents/<id:pk>/", documents.document_status, name="document-status"),
    path("documents/<id:pk>/download/", documents.document_download, name="document-download"),
]
