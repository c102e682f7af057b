from django.urls import path

from transfer import listing_views, views

urlpatterns = [
    path("technologies/", views.technology_list, name="technology_list"),
    path("technologies/new/", views.technology_new, name="technology_new"),
    path("technologies/moderation/", views.moderation, name="technology_moderation"),
    path("technologies/<int:pk>/", views.technology_detail, name="technology_detail"),
    path("technologies/<int:pk>/edit/", views.technology_edit, name="technology_edit"),
    path("technologies/<int:pk>/files/", views.technology_file_add, name="technology_file_add"),
    path(
        "technologies/<int:pk>/move/<slug:action>/",
        listing_views.technology_move,
        name="technology_move",
    ),
    path(
        "technologies/<int:pk>/files/<int:file_pk>/", views.technology_file, name="technology_file"
    ),
    path(
        "technologies/<int:pk>/files/<int:file_pk>/remove/",
        views.technology_file_remove,
        name="technology_file_remove",
    ),
    path("technologies/<int:pk>/interest/", views.express_interest, name="technology_interest"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("needs/<int:pk>/publish/", listing_views.need_publish, name="need_publish"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/agreement/", views.deal_agreement, name="deal_agreement"),
    path("deals/<int:pk>/<slug:action>/", views.deal_action, name="deal_action"),
]
