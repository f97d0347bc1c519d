"""The reasons the classifier stores (issue 16): message keys marked for translation, formatted
with their parameters when shown (orders_core.reconciliation.classes.describe)."""

from __future__ import annotations

from orders_core.i18n import N_

SETTLED_PAYMENT = N_("Recorded as a payment of {amount} on order {number}")
SETTLED_REFUND = N_("Matched to the refund of {amount} recorded on order {number} on {refunded_on}")
SET_ASIDE = N_("Set aside by hand: {comment}")
ZERO_AMOUNT = N_("Zero amount: nothing to reconcile")
DUPLICATE_ID = N_(
    "The bank id {bank_id} is already on line {line} of statement #{statement} ({other_amount} on {other_on}) "
    "with other values: check with the bank that this line is not a copy"
)
REFUND_RECORDED = N_("Pays the refund of {amount} recorded on order {number} on {refunded_on}")
REFUND_SAME_AMOUNT = N_(
    "Same amount as the refund recorded on order {number} on {refunded_on} ({amount}), not yet matched to a bank line"
)
REFUND_TO_RECORD = N_("No refund of {amount} is recorded on order {number}: record it (the order has kept {kept})")
REFUND_NO_ORDER = N_(
    "Outgoing payment of {amount}: no recorded refund of this amount in {currency}, and no order number in the reference"
)
ORDER_DELETED = N_("Order {number} was deleted: this transfer cannot pay it (refund it or assign it by hand)")
ORDER_CANCELLED = N_("Order {number} is cancelled: this transfer cannot pay it (refund it or assign it by hand)")
ORDER_OTHER_CURRENCY = N_("Order {number} is in {order_currency}; this transfer is {amount}: it cannot pay it")
ORDER_ALREADY_PAID = N_(
    "Order {number} is already paid (on {paid_on}); this transfer of {amount} may be a second payment"
)
PAYS_EXACTLY = N_("Order {number} owes {balance}: this transfer pays it exactly")
PAYS_ALL_EXACTLY = N_("Orders {numbers} owe {balance} together: this transfer pays them exactly")
PAYS_PART = N_("Order {number} owes {balance}: this transfer of {amount} pays part of it, {left} would still be due")
PAYS_MORE = N_("Order {number} owes {balance}: this transfer of {amount} pays it and {excess} more, to refund")
# Only the amount links the line to this order, and the payer's name is someone else's: a
# possibility shown with its order, never a match (issue 16, recon-weak).
AMOUNT_ONLY = N_(
    "Order {number} owes this amount, but neither the reference nor the payer's name ({payer}) points at it: "
    "assign it by hand if it is the right one"
)
NOT_WAITING = N_("Order {number} is “{status}”: it does not wait for a bank transfer; no other open order matches")
UNKNOWN_NUMBERS = N_(
    "The reference names {numbers}, which is no order; no open order in {currency} has this amount and payer name"
)
# Issue 17: a "no match" only the amount links to another event's order, as a principal scoped to
# other events reads it (that order is not named).
NOTHING_OF_YOURS = N_("No order of your events in {currency} has this amount and payer name")
NOTHING_CLOSE = N_("No order number in the reference, and no open order in {currency} with this amount and payer name")
# A note after the sentence when the order number was read from look-alike letters (O for 0, l
# for 1, S for 5, B for 8): a lower score, and never confirmed in bulk.
READ_LOOK_ALIKE = N_("read as {number} from {text}, written with look-alike characters")
