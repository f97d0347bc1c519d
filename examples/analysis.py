# %% [markdown]
# # Where do our buyers come from? A marketer's UTM analysis
#
# Runs as a plain script (`python examples/analysis.py`) or cell by cell in VS Code / Jupyter
# (the `# %%` markers). It reads the database configured by `ORDERS_DATABASE_URL` through the
# same query functions as the marketing dashboard, which return pandas DataFrames. Money stays
# exact (Decimal) and per currency: never add two currencies together.

# %%
from datetime import timedelta

import pandas as pd
from sqlalchemy import func, select

from orders_core.db import get_engine
from orders_core.models import Order
from orders_core.permissions import MARKETER, Actor
from queries.dashboards import DashboardFilters, marketing

pd.set_option("display.width", 160)
engine = get_engine()
# Who asks (issue 17): a marketer of every event; `Actor(..., event_ids=frozenset({1}))` reads one.
me = Actor("analyst@example.org", MARKETER)

# The last 30 days of the data (the newest order's day taken as "today").
with engine.connect() as conn:
    newest = conn.execute(select(func.max(Order.created_at))).scalar()
today = newest.date()
filters = DashboardFilters(start=today - timedelta(days=29), end=today, today=today)
print(f"Orders created from {filters.start} to {filters.end}")

# %% [markdown]
# ## How much of the traffic is tagged?

# %%
coverage = marketing.utm_coverage(engine, filters, principal=me).iloc[0]
print(
    f"{int(coverage['orders'])} orders, {int(coverage['without_utm'])} without any UTM "
    f"({coverage['share_without_utm']:.1%})"
)

# %% [markdown]
# ## Sources: orders, conversion and revenue, per currency

# %%
sources = marketing.utm_breakdown(engine, filters, principal=me)
sources["utm_source"] = sources["utm_source"].replace("", "(none)")
print(sources.to_string(index=False))

# %% [markdown]
# ## Drill down into the best-converting tagged source

# %%
tagged = sources[(sources["utm_source"] != "(none)") & (sources["orders"] >= 1)]
best = tagged.sort_values(["conversion_rate", "orders"], ascending=False).iloc[0]["utm_source"]
mediums = marketing.utm_breakdown(engine, filters, best, principal=me)
print(f"Best source: {best}")
print(mediums.to_string(index=False))
campaigns = marketing.utm_breakdown(engine, filters, best, mediums.iloc[0]["utm_medium"], principal=me)
print(campaigns.to_string(index=False))

# %% [markdown]
# ## Top campaigns, and the codes their buyers used

# %%
top = marketing.top_campaigns(engine, filters, limit=5, principal=me)
print(top[["rank", "currency", "utm_campaign", "orders", "paid_orders", "revenue_ttc"]].to_string(index=False))
codes = marketing.campaign_codes(engine, filters, principal=me)
with_code = codes[(codes["discount_code"] != "") & (codes["utm_campaign"] != "")]
print(with_code.to_string(index=False))

# %% [markdown]
# ## Where carts are abandoned

# %%
abandoned = marketing.abandoned_by_source(engine, filters, principal=me)
abandoned["utm_source"] = abandoned["utm_source"].replace("", "(none)")
print(abandoned.sort_values("abandon_rate", ascending=False).to_string(index=False))
