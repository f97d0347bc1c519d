"""Every user-facing string is translated: extracted with Babel from pages/, app.py, ui/, web/ and
orders_core/, each `_()`/`N_()` message has a French translation with the same `{placeholders}`,
each `ngettext()` message its two French forms (French plural rule: 0 and 1 are singular), and no
message writes "order(s)";
no widget, title or message of a page is a bare English literal; no service raises an untranslated
error."""

from __future__ import annotations

import ast
import re
import string
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from orders_core import i18n

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("pages", "ui", "orders_core", "web")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PO_FILES = sorted((ROOT / "locale" / "fr" / "LC_MESSAGES").glob("*.po"))


def source_files(*dirs: str, with_app: bool = True) -> list[Path]:
    files = [path for folder in dirs for path in sorted((ROOT / folder).rglob("*.py"))]
    return files + ([ROOT / "app.py"] if with_app else [])


def extracted_messages() -> dict[str, list[str]]:
    """msgid -> where it is used ("file:line"), with Babel's Python extractor."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in source_files(*SOURCE_DIRS):
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords=KEYWORDS):
            if isinstance(message, str) and message:
                found[message].append(f"{path.relative_to(ROOT)}:{lineno}")
    return found


def extracted_plurals() -> dict[tuple[str, str], list[str]]:
    """(singular, plural) -> where it is used, for every `ngettext()` call."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in source_files(*SOURCE_DIRS):
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords=KEYWORDS):
            if isinstance(message, tuple):
                found[message].append(f"{path.relative_to(ROOT)}:{lineno}")
    return found


def french_plurals() -> dict[str, tuple[str, ...]]:
    """singular msgid -> its French forms, from every catalogue."""
    forms: dict[str, tuple[str, ...]] = {}
    for po_file in PO_FILES:
        with po_file.open("rb") as handle:
            catalogue = read_po(handle)
        assert catalogue.plural_forms == "nplurals=2; plural=(n > 1);", f"{po_file.name}: not the French plural rule"
        for message in catalogue:
            if isinstance(message.id, tuple) and all(message.string):
                forms[message.id[0]] = tuple(message.string)
    return forms


def french() -> dict[str, str]:
    i18n.catalogue.cache_clear()
    return i18n.catalogue("fr")


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_the_extractor_finds_the_strings_of_the_shell():
    messages = extracted_messages()
    assert "Sign in" in messages and "Overview" in messages and "Payment validated" in messages


def test_every_marked_string_has_a_french_translation():
    catalogue = french()
    missing = {msgid: places[:2] for msgid, places in extracted_messages().items() if not catalogue.get(msgid)}
    assert not missing, (
        "strings without French (add them to your locale/fr/LC_MESSAGES/<capability>.po):\n"
        + "\n".join(f"  {places} {msgid!r}" for msgid, places in sorted(missing.items()))
    )


def test_every_plural_message_has_both_french_forms_with_the_same_placeholders():
    forms = french_plurals()
    problems = []
    for (singular, plural), places in sorted(extracted_plurals().items()):
        french_forms = forms.get(singular)
        if french_forms is None or len(french_forms) != 2:
            problems.append(f"  {places[:2]} {singular!r}: no two French forms")
        elif {frozenset(placeholders(text)) for text in (singular, plural, *french_forms)} != {
            frozenset(placeholders(singular))
        }:
            problems.append(f"  {places[:2]} {singular!r}: other placeholders in {french_forms!r}")
    assert not problems, "ngettext() messages without proper French (msgid_plural / msgstr[0], msgstr[1]):\n" + (
        "\n".join(problems)
    )


def test_counts_take_the_plural_form_of_their_language():
    i18n.plural_translations.cache_clear()
    shown = []
    for language in ("en", "fr"):
        i18n.set_locale(language)
        try:
            shown += [
                i18n.ngettext("{count} order selected", "{count} orders selected", n).format(count=n) for n in (0, 1, 2)
            ]
        finally:
            i18n.set_locale("en")
    assert shown == [
        "0 orders selected",
        "1 order selected",
        "2 orders selected",
        "0 commande sélectionnée",
        "1 commande sélectionnée",
        "2 commandes sélectionnées",
    ]


def test_no_message_or_template_writes_a_plural_in_parentheses():
    pattern = re.compile(r"[a-z]\((s|es|e|e\)\(s)\)", re.IGNORECASE)
    messages = [*extracted_messages().items(), *((" / ".join(k), v) for k, v in extracted_plurals().items())]
    found = [f"{places[0]}: {text[:80]}" for text, places in messages if pattern.search(text)]
    for po_file in PO_FILES:
        with po_file.open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [f"{po_file.name}: {text[:80]}" for text in strings if text and pattern.search(text)]
    assert not found, "use ngettext() and a msgid_plural instead of “(s)”:\n  " + "\n  ".join(found)


def test_every_translation_keeps_the_placeholders_of_its_english():
    catalogue = french()
    broken = {msgid: text for msgid, text in catalogue.items() if placeholders(msgid) != placeholders(text)}
    assert not broken, "French with other {placeholders} than the English (format() would fail):\n" + "\n".join(
        f"  {msgid!r} -> {text!r}" for msgid, text in broken.items()
    )


@pytest.mark.parametrize("po_file", PO_FILES, ids=[path.name for path in PO_FILES])
def test_each_catalogue_reads_as_french_utf8_gettext(po_file):
    with po_file.open("rb") as handle:
        catalogue = read_po(handle)
    assert str(catalogue.locale) == "fr"
    assert catalogue.charset.lower() in ("utf-8", "utf8")
    assert len(catalogue) > 0


def test_no_message_is_translated_two_different_ways_by_two_catalogues():
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for po_file in PO_FILES:
        with po_file.open("rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.id, str) and message.string:
                    seen[message.id][po_file.name] = message.string
    conflicts = {msgid: by_file for msgid, by_file in seen.items() if len(set(by_file.values())) > 1}
    assert not conflicts, "one English string, several French ones (the merge order would pick one):\n" + "\n".join(
        f"  {msgid!r}: {by_file}" for msgid, by_file in conflicts.items()
    )


def test_the_language_switch_translates_and_english_is_the_source():
    i18n.catalogue.cache_clear()
    i18n.set_locale("fr")
    try:
        assert i18n._("Overview") == "Vue d'ensemble"
        assert i18n._("Payment validated") == "Paiement validé"
        assert i18n._("a string nobody translated") == "a string nobody translated"
    finally:
        i18n.set_locale("en")
    assert i18n._("Overview") == "Overview"


# --- bare English literals in the UI ------------------------------------------------------------

# Streamlit calls whose first argument (or `label=`, `help=`, ...) is shown to the user.
SHOWN_FIRST_ARGUMENT = {
    "title",
    "header",
    "subheader",
    "caption",
    "text",
    "info",
    "error",
    "warning",
    "success",
    "toast",
    "exception",
    "markdown",
    "write",
    "metric",
    "button",
    "form_submit_button",
    "download_button",
    "link_button",
    "page_link",
    "text_input",
    "text_area",
    "number_input",
    "selectbox",
    "multiselect",
    "radio",
    "checkbox",
    "toggle",
    "slider",
    "select_slider",
    "date_input",
    "time_input",
    "datetime_input",
    "file_uploader",
    "color_picker",
    "segmented_control",
    "pills",
    "feedback",
    "expander",
    "popover",
    "status",
    "spinner",
    "dialog",
    "chat_input",
    # st.column_config.*: the first argument is the column header
    "Column",
    "TextColumn",
    "NumberColumn",
    "CheckboxColumn",
    "SelectboxColumn",
    "DateColumn",
    "TimeColumn",
    "DatetimeColumn",
    "LinkColumn",
    "ListColumn",
    "ProgressColumn",
    "ImageColumn",
    "LineChartColumn",
    "BarChartColumn",
    "AreaChartColumn",
    "MultiselectColumn",
    "JsonColumn",
}
SHOWN_KEYWORDS = {"label", "help", "placeholder", "caption", "title", "body", "text"}
# Markdown that carries no words: badges, icons, emphasis and separators around translated parts.
NO_WORDS = re.compile(r":material/[a-z_0-9]+:|:[a-z0-9]+-(badge|background)\[|:[a-z0-9]+\[|<[^>]+>|&[a-z]+;")
# Names that are the same in every language: email headers, acronyms (UTM, CSV, IBAN...).
TECHNICAL = re.compile(r"\bMessage-ID\b|\b[A-Z]{2,}\b")
ERROR_CLASSES = {"OrderError", "NotAllowed", "InvalidInput", "TransitionRefused", "ConflictError"}


def literal_words(node: ast.AST) -> str:
    """The English words a literal (or the literal parts of an f-string) would show, if any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        # formatted values stand as "0": they are data, not words
        text = "".join(part.value if isinstance(part, ast.Constant) else "0" for part in node.values)
    else:
        return ""
    text = TECHNICAL.sub(" ", NO_WORDS.sub(" ", text))
    return text if re.search(r"[A-Za-z]{2,}", text) else ""


def shown_arguments(call: ast.Call) -> list[ast.AST]:
    arguments = [keyword.value for keyword in call.keywords if keyword.arg in SHOWN_KEYWORDS]
    if call.args:
        first = call.args[0]
        arguments += list(first.elts) if isinstance(first, (ast.List, ast.Tuple)) else [first]
    for keyword in call.keywords:  # column_config={"col": "Header"}
        if keyword.arg == "column_config" and isinstance(keyword.value, ast.Dict):
            arguments += list(keyword.value.values)
    return arguments


def bare_literals(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if isinstance(node.func, ast.Attribute) and name == "tabs":
            candidates = shown_arguments(node)
        elif isinstance(node.func, ast.Attribute) and name == "page_link":  # first argument: the page
            candidates = [keyword.value for keyword in node.keywords if keyword.arg in SHOWN_KEYWORDS]
        elif isinstance(node.func, ast.Attribute) and name in SHOWN_FIRST_ARGUMENT:
            candidates = shown_arguments(node)
        elif name == "Page":
            candidates = [keyword.value for keyword in node.keywords if keyword.arg == "title"]
        else:
            continue
        for argument in candidates:
            if words := literal_words(argument):
                found.append(f"{path.relative_to(root)}:{argument.lineno} {name}({words.strip()[:60]!r})")
    return found


def untranslated_calls(path: Path) -> list[str]:
    """`_(f"...")` or `_("..." + x)`: the catalogue can never hold such a msgid."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in KEYWORDS and node.args:
            if isinstance(node.args[0], (ast.JoinedStr, ast.BinOp)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def raw_errors(path: Path) -> list[str]:
    """`raise InvalidInput("English")`: services must raise translated messages."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ERROR_CLASSES and node.args:
            if literal_words(node.args[0]):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_literal_check_catches_bare_english_and_lets_translated_text_through(tmp_path):
    sample = tmp_path / "page.py"
    sample.write_text(
        'st.title("Orders")\nst.button(_("Save"))\ncol.metric("Revenue", 3)\nst.caption(f"{n} orders")\n'
        'st.markdown(f":{c}-badge[{label}]")\nst.subheader(currency)\nst.tabs([_("A"), "Bee"])\n'
        'st.text_input(_("Name"), help="Some help")\nst.page_link("pages/x.py", label=_("X"))\n'
        'st.caption(f"Message-ID: {m} · UTM")\nst.page_link("pages/y.py", label="Open")\nst.markdown(f"**{_(\'Total\')}**: {x}")\n'
    )
    found = [entry.split(" ", 1)[1] for entry in bare_literals(sample, root=tmp_path)]
    assert sorted(found) == sorted(
        [
            "title('Orders')",
            "metric('Revenue')",
            "caption('0 orders')",
            "tabs('Bee')",
            "text_input('Some help')",
            "page_link('Open')",
        ]
    )


def test_no_page_router_or_ui_helper_shows_a_bare_english_literal():
    found = [entry for path in source_files("pages", "ui") for entry in bare_literals(path)]
    assert not found, "wrap these in _() (and add the French to your catalogue):\n  " + "\n  ".join(found)


def test_no_translation_call_gets_a_computed_string():
    found = [entry for path in source_files(*SOURCE_DIRS) for entry in untranslated_calls(path)]
    assert not found, "_() needs a literal msgid; use _('... {name}').format(name=...) instead:\n  " + "\n  ".join(
        found
    )


def test_no_service_raises_an_untranslated_error():
    found = [entry for path in source_files("orders_core", with_app=False) for entry in raw_errors(path)]
    assert not found, "raise OrderError subclasses with _() messages:\n  " + "\n  ".join(found)
