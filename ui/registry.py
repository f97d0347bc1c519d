"""Every page of the app, with the roles that see it. The router builds the navigation per
role from this list, so a page never needs its own permission guard."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orders_core.i18n import N_
from orders_core.permissions import roles_with

ROOT = Path(__file__).resolve().parent.parent
SECURITY_PATH = "account-security"  # two-factor sign-in: where an obliged user is sent first


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the project root
    title: str  # marked with N_, translated by the router
    icon: str
    url_path: str
    section: str  # marked with N_
    capability: str = "orders.view"  # who sees the page: the roles with this capability
    default: bool = False

    @property
    def roles(self) -> frozenset[str]:
        return roles_with(self.capability)

    @property
    def path(self) -> Path:
        return ROOT / self.file


PAGES: list[PageSpec] = [
    PageSpec("pages/home.py", N_("Overview"), ":material/dashboard:", "overview", N_("Sales"), default=True),
    PageSpec("pages/orders.py", N_("Orders"), ":material/receipt_long:", "orders", N_("Orders")),
    PageSpec("pages/order_detail.py", N_("Order"), ":material/description:", "order", N_("Orders")),
    PageSpec(
        "pages/attendees.py",
        N_("Attendees"),
        ":material/groups:",
        "attendees",
        N_("Orders"),
        capability="attendees.view",
    ),
    PageSpec(
        "pages/users.py",
        N_("Users"),
        ":material/manage_accounts:",
        "users",
        N_("Administration"),
        capability="users.manage",
    ),
    PageSpec(
        "pages/audit.py",
        N_("Audit"),
        ":material/policy:",
        "audit",
        N_("Administration"),
        capability="audit.view",
    ),
    PageSpec(
        "pages/pending_invoices.py",
        N_("Pending invoice orders"),
        ":material/pending_actions:",
        "pending-invoices",
        N_("Finance"),
        capability="orders.validate",
    ),
    PageSpec(
        "pages/invoices.py",
        N_("Invoices"),
        ":material/request_quote:",
        "invoices",
        N_("Finance"),
        capability="invoices.view",
    ),
    PageSpec(
        "pages/reconciliation.py",
        N_("Bank reconciliation"),
        ":material/account_balance:",
        "reconciliation",
        N_("Finance"),
        capability="reconciliation.manage",
    ),
    PageSpec(
        "pages/order_wizard.py",
        N_("New order"),
        ":material/add_shopping_cart:",
        "new-order",
        N_("Orders"),
        capability="orders.create",
    ),
    PageSpec(
        "pages/form_fields.py",
        N_("Form fields"),
        ":material/dynamic_form:",
        "form-fields",
        N_("Administration"),
        capability="forms.manage",
    ),
    PageSpec(
        "pages/emails.py",
        N_("Emails"),
        ":material/outgoing_mail:",
        "emails",
        N_("Administration"),
        capability="emails.outbox",
    ),
    PageSpec(
        "pages/seller_settings.py",
        N_("Seller settings"),
        ":material/storefront:",
        "seller-settings",
        N_("Administration"),
        capability="seller.manage",
    ),
    PageSpec(
        "pages/email_templates.py",
        N_("Email templates"),
        ":material/edit_note:",
        "email-templates",
        N_("Administration"),
        capability="emails.templates",
    ),
    PageSpec(
        "pages/dashboard_sales.py",
        N_("Sales dashboard"),
        ":material/insights:",
        "dashboard-sales",
        N_("Dashboards"),
        capability="dashboards.sales",
    ),
    PageSpec(
        "pages/dashboard_finance.py",
        N_("Finance dashboard"),
        ":material/account_balance_wallet:",
        "dashboard-finance",
        N_("Dashboards"),
        capability="dashboards.finance",
    ),
    PageSpec(
        "pages/dashboard_marketing.py",
        N_("Marketing dashboard"),
        ":material/campaign:",
        "dashboard-marketing",
        N_("Dashboards"),
        capability="dashboards.marketing",
    ),
    PageSpec(
        "pages/events.py",
        N_("Events"),
        ":material/event:",
        "events",
        N_("Catalogue"),
        capability="catalogue.manage",
    ),
    PageSpec(
        "pages/tariffs.py",
        N_("Tariffs"),
        ":material/sell:",
        "tariffs",
        N_("Catalogue"),
        capability="catalogue.manage",
    ),
    PageSpec(
        "pages/account_security.py",
        N_("Account security"),
        ":material/shield_lock:",
        SECURITY_PATH,
        N_("Account"),
        capability="account.preferences",
    ),
    PageSpec(
        "pages/discount_codes.py",
        N_("Discount codes"),
        ":material/percent:",
        "discount-codes",
        N_("Catalogue"),
        capability="catalogue.manage",
    ),
]


# The order of the sections in the sidebar, whatever the order pages were added in.
SECTION_ORDER = (
    N_("Sales"),
    N_("Orders"),
    N_("Dashboards"),
    N_("Finance"),
    N_("Catalogue"),
    N_("Administration"),
    N_("Account"),
)


def pages_for(role: str) -> list[PageSpec]:
    return [page for page in PAGES if role in page.roles]


def sections_for(role: str) -> dict[str, list[PageSpec]]:
    """The pages of a role by section (untranslated titles), sections in SECTION_ORDER."""
    sections: dict[str, list[PageSpec]] = {}
    rank = {section: position for position, section in enumerate(SECTION_ORDER)}
    for page in sorted(pages_for(role), key=lambda page: rank.get(page.section, len(rank))):
        sections.setdefault(page.section, []).append(page)
    return sections
