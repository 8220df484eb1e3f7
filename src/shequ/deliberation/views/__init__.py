"""Pages of deliberation (议事协商), by audience: the community's topics,
meetings, outcomes, catalog and figures; the resident's phone pages; the
public board."""

from django.urls import URLPattern, path

from shequ.deliberation.views import catalog, meetings, outcomes, resident, topics

urlpatterns: list[URLPattern] = [
    path("", topics.topic_list, name="topics"),
    path("topics/new/", topics.topic_register, name="topic_new"),
    path("topics/<int:topic_id>/", topics.topic_detail, name="topic"),
    path("topics/<int:topic_id>/review/", topics.topic_review, name="topic_review"),
    path("topics/photos/<int:photo_id>/", topics.topic_photo, name="photo"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_schedule, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/step/", meetings.meeting_step, name="meeting_step"),
    path("meetings/<int:meeting_id>/invite/", meetings.meeting_invite, name="meeting_invite"),
    path(
        "meetings/<int:meeting_id>/invitees/<int:invitee_id>/sign-in/",
        meetings.invitee_sign_in,
        name="sign_in",
    ),
    path(
        "meetings/<int:meeting_id>/agenda/<int:agenda_id>/vote/", meetings.agenda_vote, name="vote"
    ),
    path("meetings/<int:meeting_id>/minutes/", meetings.meeting_minutes, name="minutes"),
    path(
        "meetings/<int:meeting_id>/minutes.docx", meetings.meeting_minutes_docx, name="minutes_docx"
    ),
    path(
        "meetings/<int:meeting_id>/objections/<int:objection_id>/answer/",
        meetings.objection_answer,
        name="objection_answer",
    ),
    path("outcomes/", outcomes.outcome_list, name="outcomes"),
    path("outcomes/<int:outcome_id>/", outcomes.outcome_detail, name="outcome"),
    path("outcomes/<int:outcome_id>/edit/", outcomes.outcome_edit, name="outcome_edit"),
    path(
        "outcomes/<int:outcome_id>/tasks/<int:task_id>/progress/",
        outcomes.task_progress,
        name="task_progress",
    ),
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/items/", catalog.catalog_item_add, name="catalog_add"),
    path("catalog/items/<int:item_id>/", catalog.catalog_item_revise, name="catalog_revise"),
    path("catalog/adopt/", catalog.catalog_adopt, name="catalog_adopt"),
    path("catalog/export.xlsx", catalog.catalog_export, name="catalog_export"),
    path("catalog/import/", catalog.catalog_upload, name="catalog_import"),
    path("figures/", catalog.figures, name="figures"),
    path("mine/", resident.mine, name="mine"),
    path("mine/propose/", resident.propose, name="propose"),
    path("mine/topics/<int:topic_id>/cosign/", resident.cosign, name="cosign"),
    path("mine/agenda/<int:agenda_id>/vote/", resident.vote, name="my_vote"),
    path("mine/agenda/<int:agenda_id>/object/", resident.object_to, name="object"),
    path("mine/outcomes/<int:outcome_id>/rate/", resident.rate, name="rate"),
    path("gongshi/<slug:code>/", resident.public_board, name="public"),
]
