"""Database models, one module per aggregate."""

from surveyapp.models.api_token import ApiToken
from surveyapp.models.base import Base
from surveyapp.models.bulletin import Bulletin
from surveyapp.models.channel_key import ChannelKey
from surveyapp.models.circle import CircleCommunity  # noqa: F401
from surveyapp.models.complaint import Complaint, ComplaintEvent  # noqa: F401
from surveyapp.models.credit import CreditEvent, InspectionPlan, Inspector  # noqa: F401
from surveyapp.models.moderation import ModerationDecision
from surveyapp.models.plan_value import PlanValue  # noqa: F401
from surveyapp.models.provider import Practitioner, Provider, ProviderSector
from surveyapp.models.provider_page import (  # noqa: F401
    CommentReply,
    HiddenComment,
    PublishedScore,
    PublishedScoreState,
)
from surveyapp.models.provider_rating import Rating
from surveyapp.models.questionnaire import QuestionnaireVersion
from surveyapp.models.response import Response
from surveyapp.models.review import ReviewWave
from surveyapp.models.round import Invitation, Round
from surveyapp.models.supervision import InspectionResult  # noqa: F401
from surveyapp.models.user import AuditLog, User

__all__ = [
    "ApiToken",
    "AuditLog",
    "Base",
    "Bulletin",
    "ChannelKey",
    "ModerationDecision",
    "Practitioner",
    "Provider",
    "ProviderSector",
    "Rating",
    "User",
    "Invitation",
    "QuestionnaireVersion",
    "Response",
    "ReviewWave",
    "Round",
]
