"""Recommendations: content score blended with community similarity (see `engine`)."""

from filmbot.domain.recommend.content import Candidate, ContentWeights, UserRating
from filmbot.domain.recommend.engine import (
    RECENCY_HALF_LIFE,
    BlendWeights,
    Plan,
    RecommendConfig,
    RecommendRequest,
    blend_score,
    plan,
    recommend,
    seed_weights,
    server_favourites,
)
from filmbot.domain.recommend.explain import (
    Reason,
    ReasonKind,
    Recommendation,
    RecommendationResult,
)
from filmbot.domain.recommend.similarity import (
    CommunityRating,
    ItemSimilarityIndex,
    SimilarityIndex,
    SimilarityParams,
)

__all__ = [
    "RECENCY_HALF_LIFE",
    "BlendWeights",
    "Candidate",
    "CommunityRating",
    "ContentWeights",
    "ItemSimilarityIndex",
    "Plan",
    "Reason",
    "ReasonKind",
    "RecommendConfig",
    "RecommendRequest",
    "Recommendation",
    "RecommendationResult",
    "SimilarityIndex",
    "SimilarityParams",
    "UserRating",
    "blend_score",
    "plan",
    "recommend",
    "seed_weights",
    "server_favourites",
]
