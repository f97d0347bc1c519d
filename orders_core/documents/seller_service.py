"""Saving the seller settings (issue 21): administrators only, every field checked before
anything is written, the row locked, the change logged in `catalogue_history` (entity `seller`).

Identifiers are checked with well-kept libraries rather than our own code: `schwifty` for the
IBAN (country length and format, mod-97 check digits) and the BIC (structure, country code),
`python-stdnum` for the SIREN and SIRET (Luhn keys) and the VAT number (every EU country's
format and check digits). A French VAT number is `FR` + a two-digit key + the SIREN: it must
name the SIREN given. Missing settings do not stop a save (an administrator may fill them over
several visits): `documents.seller.missing_settings` says what is still missing, and no document
is issued until nothing is."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from schwifty import BIC, IBAN
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from orders_core.documents.numbering import check_pattern
from orders_core.documents.seller import FIELD_LABELS, seller_settings
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.models import SellerSettings
from orders_core.models.documents import INVOICE_PAID_ORDERS
from orders_core.permissions import Actor, require
from orders_core.services.catalogue_rules import diff, log
from orders_core.status import CatalogueEntity

CAPABILITY = "seller.manage"
MAX_PENALTY_RATE = Decimal("100")
RATE_PLACES = Decimal("0.001")  # NUMERIC(6, 3)
IDENTIFIERS = frozenset({"siren", "siret", "vat_number", "iban", "bic"})
IDENTIFIER_INPUT_LIMIT = 64


class SellerSettingsInvalid(InvalidInput):
    """Some fields are wrong: `errors` maps each one to its message (translated); the message
    names them all."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("The seller settings were not saved. {errors}").format(errors=" ".join(errors.values())))
        self.errors = errors


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\x00", "").strip()


def _compact(value: str) -> str:
    return "".join(value.split()).replace("-", "").replace(".", "").upper()


def _column_length(field: str) -> int | None:
    return getattr(SellerSettings.__table__.columns[field].type, "length", None)


class _Checker:
    """Cleans the submitted values one field at a time, keeping one message per bad field."""

    def __init__(self, values: dict[str, Any], stored_siren: str = ""):
        self.raw = values
        self.stored_siren = stored_siren  # the SIRET and VAT number are checked against it when no SIREN is given
        self.clean: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, _("{field}: {problem}").format(field=_(FIELD_LABELS[field]), problem=message))

    def run(self) -> dict[str, Any]:
        for field in self.raw:
            if field not in FIELD_LABELS:
                raise InvalidInput(_("Unknown seller setting: {field}.").format(field=str(field)[:60]))
        for field in FIELD_LABELS:
            if field not in self.raw:
                continue
            if field == "late_penalty_rate":
                self._rate()
                continue
            text = _text(self.raw[field])
            # Identifiers are checked once compacted ("FR76 3000 ..." is longer than its column).
            limit = IDENTIFIER_INPUT_LIMIT if field in IDENTIFIERS else _column_length(field)
            if limit is not None and len(text) > limit:
                self.fail(field, _("at most {limit} characters.").format(limit=limit))
                continue
            self.clean[field] = text
        self._identifiers()
        self._bank()
        self._patterns()
        self._others()
        if self.errors:
            raise SellerSettingsInvalid({f: self.errors[f] for f in FIELD_LABELS if f in self.errors})
        return self.clean

    def _rate(self) -> None:
        text = _text(self.raw["late_penalty_rate"]).replace(",", ".").removesuffix("%").strip()
        if not text:
            self.clean["late_penalty_rate"] = None
            return
        try:
            rate = Decimal(text)
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or not Decimal("0") <= rate <= MAX_PENALTY_RATE:
            self.fail("late_penalty_rate", _("a percentage between 0 and 100, for instance 12.15."))
            return
        self.clean["late_penalty_rate"] = rate.quantize(RATE_PLACES)

    def _identifiers(self) -> None:
        given = "siren" in self.clean
        siren = _compact(self.clean["siren"]) if given else self.stored_siren
        known = bool(siren) and fr_siren.is_valid(siren)  # what the SIRET and VAT number are checked against
        if given and siren and not known:
            self.fail("siren", _("not a valid SIREN (9 digits with a valid check digit)."))
        elif given:
            self.clean["siren"] = siren
        siret = _compact(self.clean.get("siret", ""))
        if siret and not fr_siret.is_valid(siret):
            self.fail("siret", _("not a valid SIRET (14 digits with a valid check digit)."))
        elif siret and known and not siret.startswith(siren):
            self.fail("siret", _("a SIRET starts with the SIREN ({siren}).").format(siren=siren))
        elif "siret" in self.clean:
            self.clean["siret"] = siret
        vat = _compact(self.clean.get("vat_number", ""))
        if vat and not eu_vat.is_valid(vat):
            self.fail("vat_number", _("not a valid EU VAT number (country code, then the number)."))
        elif vat.startswith("FR") and known and vat[4:] != siren:
            self.fail("vat_number", _("a French VAT number ends with the SIREN ({siren}).").format(siren=siren))
        elif "vat_number" in self.clean:
            self.clean["vat_number"] = vat

    def _bank(self) -> None:
        iban = self.clean.get("iban", "")
        if iban:
            try:
                self.clean["iban"] = IBAN(iban).compact
            except ValueError:
                self.fail("iban", _("not a valid IBAN (check its country code, length and check digits)."))
        bic = self.clean.get("bic", "")
        if bic:
            try:
                self.clean["bic"] = BIC(bic).compact
            except ValueError:
                self.fail("bic", _("not a valid BIC (8 or 11 characters: bank, country, place, branch)."))

    def _patterns(self) -> None:
        for field in ("invoice_pattern", "credit_note_pattern"):
            if field not in self.clean:
                continue
            try:
                self.clean[field] = check_pattern(self.clean[field])
            except InvalidInput as error:
                self.fail(field, error.message)
        invoice, credit = self.clean.get("invoice_pattern"), self.clean.get("credit_note_pattern")
        if invoice and credit and invoice == credit and "credit_note_pattern" not in self.errors:
            self.fail("credit_note_pattern", _("credit notes need a series of their own (another pattern)."))

    def _others(self) -> None:
        if "invoice_paid_orders" in self.clean and self.clean["invoice_paid_orders"] not in INVOICE_PAID_ORDERS:
            self.fail("invoice_paid_orders", _("choose on payment or on request."))
        if "country" in self.clean:
            country = self.clean["country"].upper()
            if not (len(country) == 2 and country.isascii() and country.isalpha()):
                self.fail("country", _("a two-letter country code, for instance FR."))
            else:
                self.clean["country"] = country
        email = self.clean.get("email", "")
        if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
            self.fail("email", _("not a valid email address."))


def check_seller_values(values: dict[str, Any], *, stored_siren: str = "") -> dict[str, Any]:
    """The values cleaned and normalised (IBAN, BIC, SIREN, SIRET and VAT number compact and upper
    case; the rate a Decimal to 3 places), or SellerSettingsInvalid naming every bad field."""
    return _Checker(values, stored_siren).run()


def _locked_row(session: Session) -> SellerSettings:
    """The settings row, locked until the commit; created with its defaults the first time."""
    row = session.scalar(select(SellerSettings).where(SellerSettings.id == 1).with_for_update())
    if row is not None:
        return row
    defaults = {c.name: getattr(seller_settings(session), c.name) for c in SellerSettings.__table__.columns}
    try:
        with session.begin_nested():  # another administrator may save the first time at once
            session.execute(insert(SellerSettings).values(defaults))
    except IntegrityError:
        pass
    return session.scalars(select(SellerSettings).where(SellerSettings.id == 1).with_for_update()).one()


def save_seller_settings(session: Session, *, actor: Actor, values: dict[str, Any]) -> SellerSettings:
    """Check and save the seller settings given in `values` (the fields of FIELD_LABELS; those
    left out keep their value). Nothing is written when a field is wrong; a save that changes
    nothing writes nothing."""
    require(actor, CAPABILITY)
    settings = _locked_row(session)
    clean = check_seller_values(values, stored_siren=settings.siren or "")
    changes = diff(settings, clean)
    if not changes:
        return settings
    for field, value in clean.items():
        setattr(settings, field, value)
    settings.updated_at = datetime.now(UTC)
    settings.updated_by = actor.email
    log(
        session,
        actor=actor,
        entity=CatalogueEntity.SELLER,
        entity_id=settings.id,
        event_id=None,
        action="updated",
        details=changes,
    )
    session.flush()
    return settings
