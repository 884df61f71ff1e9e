"""Review points: each milestone of an episode's dated plan as a due window with a status."""

from bothand.domain.review.points import (
    STATUSES,
    ReviewPoint,
    ReviewStatus,
    Window,
    next_review_point,
    review_points,
    windows,
)

__all__ = [
    "STATUSES",
    "ReviewPoint",
    "ReviewStatus",
    "Window",
    "next_review_point",
    "review_points",
    "windows",
]
