"""The private safety screen and what it switches off.

INTERFACE (implemented by the agreement/safety work): ``joint_features_allowed(couple)``
says whether features that bring the partners' words together (sharing a reflection with
the partner, mutual reveal) are on for this couple. Off after a concerning screen answer
until the practitioner turns them back on.
"""


def joint_features_allowed(couple) -> bool:
    return True
