"""Websocket routes."""

from django.urls import path

from paychaos.reference_app.payments.consumers import CompanyNotifications

websocket_urlpatterns = [
    path("ws/companies/<int:company_id>/", CompanyNotifications.as_asgi()),
]
