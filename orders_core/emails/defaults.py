"""Built-in templates, used when neither the event nor the global set has one of that kind and
language. Jinja2, rendered in a sandbox; see `render.py` for the variables."""

from __future__ import annotations

from orders_core.status import EmailKind

KINDS: tuple[EmailKind, ...] = tuple(EmailKind)

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("payment_details", "en"): (
        "Payment details for your order {{ order.number }} - {{ event.name }}",
        "Hello {{ order.buyer_first_name }},\n\n"
        "Thank you for your order {{ order.number }} for {{ event.name }}.\n"
        "Amount due: {{ order.balance_due_formatted }}\n\n"
        "Please pay by bank transfer with the reference {{ order.number }}:\n{{ event.bank_details }}\n\n"
        "Your tickets will be issued as soon as the payment is received.\n",
    ),
    ("payment_details", "fr"): (
        "Détails de paiement de votre commande {{ order.number }} - {{ event.name }}",
        "Bonjour {{ order.buyer_first_name }},\n\n"
        "Merci pour votre commande {{ order.number }} pour {{ event.name }}.\n"
        "Montant dû : {{ order.balance_due_formatted }}\n\n"
        "Merci de régler par virement avec la référence {{ order.number }} :\n{{ event.bank_details }}\n\n"
        "Vos billets seront émis dès réception du paiement.\n",
    ),
    ("order_confirmation", "en"): (
        "Your order {{ order.number }} is confirmed - {{ event.name }}",
        "Hello {{ order.buyer_first_name }},\n\n"
        "Your order {{ order.number }} for {{ event.name }} is confirmed.\n"
        "{% for line in lines %}- {{ line.quantity }} x {{ line.name }}: {{ line.total_ttc_formatted }}\n{% endfor %}"
        "Total: {{ order.total_ttc_formatted }}\n\nSee you on {{ event.starts_at_formatted }}.\n",
    ),
    ("order_confirmation", "fr"): (
        "Votre commande {{ order.number }} est confirmée - {{ event.name }}",
        "Bonjour {{ order.buyer_first_name }},\n\n"
        "Votre commande {{ order.number }} pour {{ event.name }} est confirmée.\n"
        "{% for line in lines %}- {{ line.quantity }} x {{ line.name }} : {{ line.total_ttc_formatted }}\n{% endfor %}"
        "Total : {{ order.total_ttc_formatted }}\n\nÀ bientôt, le {{ event.starts_at_formatted }}.\n",
    ),
    ("tickets", "en"): (
        "Your tickets for {{ event.name }} (order {{ order.number }})",
        "Hello {{ order.buyer_first_name }},\n\nHere are the tickets of order {{ order.number }}:\n"
        "{% for item in items %}- {{ item.tariff }}: {{ item.holder_first_name }} {{ item.holder_last_name }}"
        "{% if item.seat %} (seat {{ item.seat }}){% endif %}\n{% endfor %}",
    ),
    ("tickets", "fr"): (
        "Vos billets pour {{ event.name }} (commande {{ order.number }})",
        "Bonjour {{ order.buyer_first_name }},\n\nVoici les billets de la commande {{ order.number }} :\n"
        "{% for item in items %}- {{ item.tariff }} : {{ item.holder_first_name }} {{ item.holder_last_name }}"
        "{% if item.seat %} (siège {{ item.seat }}){% endif %}\n{% endfor %}",
    ),
    ("payment_reminder", "en"): (
        "Reminder: order {{ order.number }} is awaiting payment",
        "Hello {{ order.buyer_first_name }},\n\nWe have not yet received the payment of "
        "{{ order.balance_due_formatted }} for order {{ order.number }} ({{ event.name }}).\n"
        "Bank details (reference {{ order.number }}):\n{{ event.bank_details }}\n",
    ),
    ("payment_reminder", "fr"): (
        "Rappel : la commande {{ order.number }} est en attente de paiement",
        "Bonjour {{ order.buyer_first_name }},\n\nNous n'avons pas encore reçu le paiement de "
        "{{ order.balance_due_formatted }} pour la commande {{ order.number }} ({{ event.name }}).\n"
        "Coordonnées bancaires (référence {{ order.number }}) :\n{{ event.bank_details }}\n",
    ),
    ("order_changed", "en"): (
        "Your order {{ order.number }} has been updated",
        "Hello {{ order.buyer_first_name }},\n\nYour order {{ order.number }} for {{ event.name }} "
        "has been updated. New total: {{ order.total_ttc_formatted }}"
        "{% if order.balance_due > 0 %}; balance due: {{ order.balance_due_formatted }}{% endif %}.\n",
    ),
    ("order_changed", "fr"): (
        "Votre commande {{ order.number }} a été modifiée",
        "Bonjour {{ order.buyer_first_name }},\n\nVotre commande {{ order.number }} pour {{ event.name }} "
        "a été modifiée. Nouveau total : {{ order.total_ttc_formatted }}"
        "{% if order.balance_due > 0 %} ; reste à payer : {{ order.balance_due_formatted }}{% endif %}.\n",
    ),
}
