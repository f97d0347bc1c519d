"""The order wizard's progress: one typed object kept under one session-state key.

It holds ids and plain values only (no ORM object, no DataFrame), so it round-trips through JSON
(`to_json` / `from_json`): what a later change persists so that a reload keeps the wizard's
progress. Widgets keep their own `wizard.w.*` keys (Streamlit forgets a widget that is not
drawn, so each step seeds its widgets from this object and copies their values back)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import streamlit as st

from orders_core.order_rules import current_payment_choice

STATE_KEY = "wizard"
WIDGET_PREFIX = "wizard."  # every widget key of the wizard starts with it
STEPS = (1, 2, 3, 4)


@dataclass
class WizardState:
    mode: str = "create"  # "create" or "modify"
    step: int = 1  # the step shown
    validated: int = 0  # the last step whose "Next" succeeded: the side menu opens up to the next one
    event_id: int | None = None
    quantities: dict[str, int] = field(default_factory=dict)  # tariff id -> quantity (> 0)
    codes: list[str] = field(default_factory=list)
    buyer: dict[str, str] = field(default_factory=lambda: {"language": "en"})
    custom: dict[str, Any] = field(default_factory=dict)  # order-form field id -> plain value
    holders: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # tariff id -> holders, in unit order
    payment: dict[str, Any] = field(default_factory=lambda: {"mode": "invoice"})
    send: bool = False  # send the payment details by email
    template_id: int | None = None  # 0: the built-in text
    notify: bool = False  # modify: tell the buyer that the order changed
    clear_code: bool = False  # empty the code field at the next run (after a code was added)
    conflict: str | None = None  # the save was refused: someone else changed the order
    # The order being modified (mode "modify").
    order_id: int | None = None
    number: int | None = None
    version: int | None = None
    status: str | None = None
    payment_mode: str | None = None
    kept: dict[str, int] = field(default_factory=dict)  # what the order already holds (capacity)
    kept_code: str | None = None

    @classmethod
    def for_order(cls, loaded: dict) -> WizardState:
        """The wizard over an existing order (`queries.wizard.order_for_edit`): every step is done."""
        return cls(
            mode="modify",
            validated=3,
            event_id=loaded["event_id"],
            quantities={str(k): int(v) for k, v in loaded["quantities"].items()},
            codes=list(loaded["codes"]),
            buyer=dict(loaded["buyer"]),
            custom=dict(loaded["custom"]),
            holders={str(k): list(v) for k, v in loaded["holders"].items()},
            payment={"mode": current_payment_choice(loaded["status"], loaded["payment_mode"])},
            order_id=loaded["order_id"],
            number=loaded["number"],
            version=loaded["version"],
            status=loaded["status"],
            payment_mode=loaded["payment_mode"],
            kept={str(k): int(v) for k, v in loaded["quantities"].items()},
            kept_code=loaded["codes"][0] if loaded["codes"] else None,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> WizardState:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in json.loads(text).items() if key in known})

    def choose_event(self, event_id: int | None) -> None:
        """Another event: what was chosen for the previous one no longer applies."""
        self.event_id, self.quantities, self.codes = event_id, {}, []
        self.custom, self.holders, self.validated = {}, {}, 0

    def advance(self, step: int) -> None:
        """`step` is validated: go to the next one."""
        self.validated = max(self.validated, step)
        self.step = step + 1

    def reachable(self, step: int) -> bool:
        return step <= self.validated + 1

    def kept_quantities(self) -> dict[int, int]:
        return {int(k): v for k, v in self.kept.items()}

    def holder_list(self, tariff_ids: list[int]) -> list[dict[str, Any]]:
        """The holders in the quote's unit order (one tariff id per unit), stored per tariff so
        that changing a quantity keeps the other holders."""
        taken: dict[int, int] = {}
        result = []
        for tariff_id in tariff_ids:
            index = taken.get(tariff_id, 0)
            taken[tariff_id] = index + 1
            stored = self.holders.get(str(tariff_id), [])
            result.append(stored[index] if index < len(stored) else {})
        return result

    def keep_holder(self, tariff_id: int, index: int, holder: dict[str, Any]) -> None:
        stored = self.holders.setdefault(str(tariff_id), [])
        while len(stored) <= index:
            stored.append({})
        stored[index] = holder


def state() -> WizardState | None:
    return st.session_state.get(STATE_KEY)


def start(new: WizardState) -> WizardState:
    """Forget the previous wizard (nothing of it was saved) and keep `new`."""
    reset()
    st.session_state[STATE_KEY] = new
    return new


def reset() -> None:
    """Forget everything the wizard holds: its state and its widgets."""
    for key in [k for k in st.session_state if str(k) == STATE_KEY or str(k).startswith(WIDGET_PREFIX)]:
        del st.session_state[key]
