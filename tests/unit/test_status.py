from itertools import product

import pytest

from orders_core.status import FINAL_STATUSES, STATUS_GROUPS, TRANSITIONS, Status, can_transition, is_editable

ALLOWED = {
    ("awaiting_payment", "paid"),
    ("awaiting_payment", "cancelled"),
    ("pending_admin", "paid"),
    ("pending_admin", "cancelled"),
    ("pending_online", "paid"),
    ("pending_online", "failed"),
    ("pending_online", "cancelled"),
    ("cart_incomplete", "awaiting_payment"),
    ("cart_incomplete", "paid"),
    ("cart_incomplete", "cancelled"),
    ("failed", "awaiting_payment"),
    ("failed", "paid"),
    ("failed", "cancelled"),
}


@pytest.mark.parametrize("current,target", list(product([s.value for s in Status], repeat=2)))
def test_only_the_transitions_of_the_domain_are_allowed(current, target):
    assert can_transition(current, target) is ((current, target) in ALLOWED)


def test_paid_and_cancelled_are_final_and_read_only():
    assert {Status.PAID, Status.CANCELLED} == FINAL_STATUSES
    assert not TRANSITIONS[Status.PAID] and not TRANSITIONS[Status.CANCELLED]
    assert [s for s in Status if not is_editable(s)] == [Status.PAID, Status.CANCELLED]


def test_quick_filter_groups_match_the_domain():
    assert STATUS_GROUPS == {
        "validated": (Status.PAID,),
        "pending": (Status.AWAITING_PAYMENT,),
        "not_completed": (Status.CART_INCOMPLETE, Status.CANCELLED, Status.FAILED),
    }
