"""Issue 18: the Attendees page's reads on a big synthetic PostgreSQL database (not part of
`make bench`: the demo generator makes no 600k-attendee event). Event 1 has 600,000 attendees
(300,000 paid orders of two badges, 1 in 10 orders cancelled, 1 in 50 attendees cancelled);
events 2-3 hold 400,000 more orders: 700,000 orders, 1,000,000 attendees.

    createdb -h 127.0.0.1 -U postgres attendees_bench
    python -m bench._attendees_synthetic build postgresql+psycopg://postgres@127.0.0.1:5432/attendees_bench
    python -m bench._attendees_synthetic measure postgresql+psycopg://postgres@127.0.0.1:5432/attendees_bench
"""

import sys
import time

from sqlalchemy import create_engine, text

from orders_core.db import get_engine
from orders_core.migrate import upgrade
from orders_core.permissions import ADMIN, Actor
from queries.attendees import AttendeeFilters, attendee_count, attendee_page

BENCH = Actor("bench", ADMIN)

E = 1


def build(url: str) -> None:
    t = time.perf_counter()
    upgrade(url, "0021_email_kinds")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(
            text("""INSERT INTO events (id, name, starts_at, timezone, currency, language, seated, community, bank_details, created_at)
            SELECT i, 'Event ' || i, now() + interval '30 days', 'Europe/Paris', 'EUR', 'en', false, false, '', now() FROM generate_series(1,3) i""")
        )
        c.execute(
            text("""INSERT INTO tariffs (id, event_id, kind, name, name_fr, unit_price_ht, tax_rate, currency, active, created_at)
            SELECT i, 1 + (i - 1) / 2, 'badge', 'Badge ' || i, '', 100, 20, 'EUR', true, now() FROM generate_series(1,6) i""")
        )
        c.execute(
            text("""INSERT INTO orders (id, number, event_id, status, payment_mode, source, buyer_first_name, buyer_last_name,
            buyer_email, buyer_phone, company_name, billing_address, billing_postcode, billing_city, billing_country, vat_number,
            currency, total_ht, total_ttc, amount_paid, payment_state, terms_accepted, language, created_at, updated_at, paid_at,
            notes, version, follow_up_note, reminders_pause_note)
            SELECT i, 1000000 + i, CASE WHEN i <= 300000 THEN 1 ELSE 2 + i % 2 END,
                   CASE WHEN i % 10 = 0 THEN 'cancelled' ELSE 'paid' END, 'invoice', 'online',
                   'B', 'Buyer', 'b' || i || '@example.org', '', '', '', '', '', '', '', 'EUR', 200, 240, 240, 'paid', true, 'en',
                   now() - (i || ' seconds')::interval, now(), now(), '', 1, '', ''
            FROM generate_series(1, 700000) i""")
        )
        c.execute(
            text("""INSERT INTO order_lines (id, order_id, tariff_id, kind, name, quantity, unit_price_ht, tax_rate, discount_amount, total_ht, total_ttc)
            SELECT i, i, CASE WHEN i <= 300000 THEN 1 + i % 2 ELSE 3 + i % 4 END, 'badge', 'Badge', CASE WHEN i <= 300000 THEN 2 ELSE 1 END,
                   100, 20, 0, 200, 240 FROM generate_series(1, 700000) i""")
        )
        first = "ARRAY['Hélène','Olivia','Ada','Alan','Grace','José','Zoë','Noël','Chloé','Léa','Jean','Marie','Ana','Bob','Eve','Ines']"
        last = "ARRAY['Lefèvre','Wilson','Lovelace','Turing','Hopper','Müller','Dupont','Martin','Bernard','Durand','Petit','Moreau','Laurent','Simon','Michel','Garcia']"
        c.execute(
            text(f"""INSERT INTO order_items (id, order_id, order_line_id, holder_first_name, holder_last_name, holder_email, delivery_mode, created_at)
            SELECT k, o, o, ({first})[1 + k % 16], ({last})[1 + (k / 16) % 16] || substr(md5(k::text), 1, 4), 'h' || k || '@example.org', 'e_ticket', now()
            FROM (SELECT row_number() OVER () AS k, o FROM (
                  SELECT o FROM generate_series(1, 300000) o, generate_series(1, 2) u
                  UNION ALL SELECT o FROM generate_series(300001, 700000) o) s) t""")
        )
        c.execute(
            text("""INSERT INTO attendees (id, event_id, order_id, order_item_id, first_name, last_name, email, registered_at, cancelled_at)
            SELECT it.id, o.event_id, o.id, it.id, it.holder_first_name, it.holder_last_name, it.holder_email, now() - (it.id || ' seconds')::interval,
                   CASE WHEN it.id % 50 = 0 THEN now() END
            FROM order_items it JOIN orders o ON o.id = it.order_id""")
        )
        for table in ("events", "tariffs", "orders", "order_lines", "order_items", "attendees"):
            c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    print(f"loaded in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    upgrade(url)
    print(f"migration 0025 on it: {time.perf_counter() - t:.0f} s")
    with engine.begin() as c:
        c.execute(text("ANALYZE"))


def best(label, fn):
    fn()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    size = len(result) if hasattr(result, "__len__") else result
    print(f"{label:<58} {min(times) * 1000:8.1f} ms  ({size})")
    return result


def measure(url: str) -> None:
    engine = get_engine(url)

    best("count, event 1 (600k)", lambda: attendee_count(engine, AttendeeFilters(E), principal=BENCH))
    first = best("first page", lambda: attendee_page(engine, AttendeeFilters(E), principal=BENCH))
    last = first.iloc[-1]
    best(
        "next page by keyset",
        lambda: attendee_page(
            engine, AttendeeFilters(E), after=(last["last_name"], last["first_name"], int(last["id"])), principal=BENCH
        ),
    )
    best(
        "page 6000 by offset (299,950 rows skipped)",
        lambda: attendee_page(engine, AttendeeFilters(E), offset=299_950, principal=BENCH),
    )
    best(
        "search 'lefevre' first page",
        lambda: attendee_page(engine, AttendeeFilters(E, search="lefevre"), principal=BENCH),
    )
    best(
        "search 'lefevre' count", lambda: attendee_count(engine, AttendeeFilters(E, search="lefevre"), principal=BENCH)
    )
    best(
        "search 'h123@example' first page",
        lambda: attendee_page(engine, AttendeeFilters(E, search="h123@example"), principal=BENCH),
    )
    best(
        "search 'zoë müller' first page",
        lambda: attendee_page(engine, AttendeeFilters(E, search="zoe muller"), principal=BENCH),
    )
    best(
        "tariff 2 + status paid, first page",
        lambda: attendee_page(engine, AttendeeFilters(E, tariff_ids=(2,), statuses=("paid",)), principal=BENCH),
    )
    best(
        "tariff 2 + status paid, count",
        lambda: attendee_count(engine, AttendeeFilters(E, tariff_ids=(2,), statuses=("paid",)), principal=BENCH),
    )
    best(
        "cancelled only, first page",
        lambda: attendee_page(engine, AttendeeFilters(E, attendance="cancelled"), principal=BENCH),
    )


if __name__ == "__main__":
    {"build": build, "measure": measure}[sys.argv[1]](sys.argv[2])
