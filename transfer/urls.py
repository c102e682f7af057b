from django.urls import path

from transfer import views

urlpatterns = [
    path("technologies/", views.technology_list, name="technology_list"),
    path("technologies/new/", views.technology_new, name="technology_new"),
    path("technologies/moderation/", views.moderation, name="technology_moderation"),
    path("technologies/<int:pk>/", views.technology_detail, name="technology_detail"),
    path("technologies/<int:pk>/edit/", views.technology_edit, name="technology_edit"),
    path("technologies/<int:pk>/interest/", views.express_interest, name="technology_interest"),
    path("needs/", views.need_list, name="need_list"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/agreement/", views.deal_agreement, name="deal_agreement"),
    path("deals/<int:pk>/<slug:action>/", views.deal_action, name="deal_action"),
]
