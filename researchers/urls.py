from django.urls import path

from researchers import views

urlpatterns = [
    path("", views.membership_queue, name="membership_queue"),
    path("request/", views.membership_request, name="membership_request"),
    path("<int:pk>/", views.membership_decide, name="membership_decide"),
    path("<int:pk>/end/", views.membership_end, name="membership_end"),
]
