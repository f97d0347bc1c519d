"""User text shown through Markdown, as literal text (issue 13 item 2).

Streamlit renders Markdown (GitHub flavour, plus its own `:color[...]`, `:emoji:` and `$math$`)
in `st.markdown`, `st.caption`, `st.write`, alerts, titles, and the labels of widgets, tabs,
expanders, metrics and links. Buyer names, companies, UTM values, bank payers and references,
notes, user, event, tariff and template names come from people outside or inside the team: a
name such as `![x](http://evil/t.png)` made every staff browser fetch an outside address, and
`[click](http://evil)` became a link. `md(text)` is the one way such a value enters Markdown:
every character that would start Markdown, HTML, an autolink or a Streamlit directive gets a
backslash (CommonMark shows the character itself), so the value reads exactly as typed; line
breaks stay line breaks.

Use it on the value, never on the translated template around it:
`st.markdown(_("**Event:** {event}").format(event=md(name)))`."""

from __future__ import annotations

import re

# Characters that start Markdown, HTML or a Streamlit directive wherever they stand.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>#~$|])")
# What starts a block only at the start of a line: lists, blockquotes, setext and thematic breaks,
# ordered lists ("1." / "1)").
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.M)
# A colon glued to a word starts Streamlit's `:emoji:` and `:material/icon:`.
_GLUED_COLON = re.compile(r":(?=\S)")
# GFM turns `http://...`, `https://...` and `www....` into links by itself, and it looks for them
# in the text once escapes are resolved, so a backslash cannot stop it: an invisible WORD JOINER
# (U+2060) inside `://` or after `www` does. Email addresses stay as they are (a mailto link
# that shows the very address it opens).
_URL_START = re.compile(r"(?i)\b(https?\\:|www)(//|\.)")
WORD_JOINER = "\u2060"
_ENTITY = re.compile(r"&(?=#?\w+;)")


def md(value: object) -> str:
    """`value` as Markdown that shows it literally (None reads as an empty text). Plain text
    (names, emails, "SMTP 550: mailbox unavailable") comes out unchanged."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _ANYWHERE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)
    text = _GLUED_COLON.sub(r"\\:", text)
    text = _URL_START.sub(lambda m: m.group(1) + WORD_JOINER + m.group(2), text)
    text = _ENTITY.sub(r"\\&", text)
    return text.replace("\n", "  \n")
