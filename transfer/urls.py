from django.urls import path

from transfer import catalogue_views, deal_views, edit_views, listing_views, need_views

urlpatterns = [
    path("technologies/", catalogue_views.technology_list, name="technology_list"),
    path("technologies/new/", edit_views.technology_new, name="technology_new"),
    path("technologies/moderation/", edit_views.moderation, name="technology_moderation"),
    path("technologies/<int:pk>/", catalogue_views.technology_detail, name="technology_detail"),
    path("technologies/<int:pk>/edit/", edit_views.technology_edit, name="technology_edit"),
    path(
        "technologies/<int:pk>/files/", edit_views.technology_file_add, name="technology_file_add"
    ),
    path(
        "technologies/<int:pk>/move/<slug:action>/",
        listing_views.technology_move,
        name="technology_move",
    ),
    path(
        "technologies/<int:pk>/files/<int:file_pk>/",
        edit_views.technology_file,
        name="technology_file",
    ),
    path(
        "technologies/<int:pk>/files/<int:file_pk>/remove/",
        edit_views.technology_file_remove,
        name="technology_file_remove",
    ),
    path(
        "technologies/<int:pk>/interest/",
        catalogue_views.express_interest,
        name="technology_interest",
    ),
    path("needs/", need_views.need_list, name="need_list"),
    path("needs/<int:pk>/", need_views.need_detail, name="need_detail"),
    path("needs/<int:pk>/close/", need_views.need_close, name="need_close"),
    path("needs/<int:pk>/publish/", listing_views.need_publish, name="need_publish"),
    path("deals/", deal_views.deal_list, name="deal_list"),
    path("deals/<int:pk>/", deal_views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/agreement/", deal_views.deal_agreement, name="deal_agreement"),
    path("deals/<int:pk>/<slug:action>/", deal_views.deal_action, name="deal_action"),
]
